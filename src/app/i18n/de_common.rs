//! German texts shared by every page (frame, common words, the error messages), keyed
//! by the English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Frame
        "Skip to content" => "Zum Inhalt springen",
        "Menu" => "Menü",
        "Main" => "Hauptnavigation",
        "Log in" => "Anmelden",
        "Log out" => "Abmelden",
        "Home" => "Start",
        "Request access" => "Zugriff beantragen",
        "My requests" => "Meine Anträge",
        "Worklist" => "Arbeitsliste",
        "Delegations" => "Vertretungen",
        "Admin" => "Verwaltung",
        "Language" => "Sprache",
        "{count} open items" => "{count} offene Vorgänge",
        "{count} open item" => "{count} offener Vorgang",
        "Assent — identity requests and approvals" => {
            "Assent — Berechtigungsanträge und Genehmigungen"
        }
        // The error messages every server function may answer with (AppError).
        "Please log in to continue." => "Bitte melden Sie sich an.",
        "You do not have access to this page." => "Sie haben keinen Zugriff auf diese Seite.",
        "Not found." => "Nicht gefunden.",
        "Someone else changed this first. Reload and try again." => {
            "Jemand anderes war schneller. Laden Sie neu und versuchen Sie es noch einmal."
        }
        "The portal is busy. Nothing was changed; please try again in a moment." => {
            "Das Portal ist ausgelastet. Es wurde nichts geändert; bitte versuchen Sie es gleich noch einmal."
        }
        "Something went wrong on our side. Please try again." => {
            "Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es noch einmal."
        }
        "The request could not be completed. Check your connection and try again." => {
            "Die Anfrage konnte nicht abgeschlossen werden. Prüfen Sie die Verbindung und versuchen Sie es noch einmal."
        }
        "The form could not be read: a field is missing or has the wrong form." => {
            "Das Formular konnte nicht gelesen werden: Ein Feld fehlt oder hat die falsche Form."
        }
        _ => return None,
    })
}

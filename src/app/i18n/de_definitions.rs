//! German texts of the administrators' definition screen (versions, differences, the
//! dry run) and the server's messages on it, keyed by the English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Versions and differences
        "Workflow definition" => "Workflow-Definition",
        "← Admin" => "← Administration",
        "Versions" => "Versionen",
        "Open workflows" => "Offene Workflows",
        "Compare" => "Vergleichen",
        "Changes" => "Änderungen",
        "Line" => "Zeile",
        "changes since v{version}" => "Änderungen seit v{version}",
        "Graph of v{version}" => "Graph von v{version}",
        "Text of v{version}" => "Text von v{version}",
        "From v{from} to v{to}: {added} lines added, {removed} removed." => {
            "Von v{from} zu v{to}: {added} Zeilen hinzugefügt, {removed} entfernt."
        }
        // Dry run
        "Dry run" => "Probelauf",
        "Run a changed text on sample requests before deploying it: every approval gets the answer you choose, outside systems are assumed to answer with success, and nothing is stored, sent or granted." => {
            "Einen geänderten Text vor dem Bereitstellen an Beispielanträgen ausprobieren: jede Genehmigung erhält die gewählte Antwort, externe Systeme gelten als erfolgreich, und nichts wird gespeichert, gesendet oder vergeben."
        }
        "Recent requests" => "Neueste Anträge",
        "No request was made through this definition yet: type one below." => {
            "Über diese Definition wurde noch kein Antrag gestellt: unten einen eingeben."
        }
        "Or type a request" => "Oder einen Antrag eingeben",
        "Requester (user name)" => "Antragsteller (Benutzername)",
        "For (user name; empty: the requester)" => "Für (Benutzername; leer: der Antragsteller)",
        "Kind of item" => "Art des Eintrags",
        "Role" => "Rolle",
        "Resource" => "Ressource",
        "Entitlement" => "Berechtigung",
        "Item" => "Eintrag",
        "Form values (field = value, one to a line)" => {
            "Formularwerte (Feld = Wert, einer pro Zeile)"
        }
        "Every approval" => "Jede Genehmigung",
        "approves" => "genehmigt",
        "rejects" => "lehnt ab",
        "Rehearse" => "Ausprobieren",
        "Rehearsed: nothing was stored or sent." => {
            "Ausprobiert: nichts wurde gespeichert oder gesendet."
        }
        "The form does not fit this text" => "Das Formular passt nicht zu diesem Text",
        "Ends" => "Endet",
        "Would ask" => "Würde fragen",
        "Would send or change" => "Würde senden oder ändern",
        "Nobody is asked." => "Niemand wird gefragt.",
        // The server's messages
        "Choose a recent request or type one to rehearse on." => {
            "Einen neuesten Antrag wählen oder einen eingeben, um ihn auszuprobieren."
        }
        "Rehearse at most 10 requests at once." => {
            "Höchstens 10 Anträge auf einmal ausprobieren."
        }
        "Choose approve or reject." => "Genehmigen oder ablehnen wählen.",
        "Unknown workflow ID." => "Unbekannte Workflow-ID.",
        "Name the requester by user name." => "Den Antragsteller mit Benutzernamen nennen.",
        "Name the person it is for by user name." => {
            "Die begünstigte Person mit Benutzernamen nennen."
        }
        "Choose role, resource or entitlement." => "Rolle, Ressource oder Berechtigung wählen.",
        "An item's name has at most 200 characters." => {
            "Der Name eines Eintrags hat höchstens 200 Zeichen."
        }
        "Give each form value as field = value, one to a line." => {
            "Jeden Formularwert als Feld = Wert angeben, einen pro Zeile."
        }
        _ => return None,
    })
}

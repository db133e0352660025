//! German texts of access to the portal itself: login lockouts and the API tokens screen
//! (with the server's messages on it), keyed by the English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Login lockouts
        "Too many failed attempts. Please wait {seconds} seconds before trying again." => {
            "Zu viele fehlgeschlagene Versuche. Bitte warten Sie {seconds} Sekunden, bevor Sie es erneut versuchen."
        }
        "Too many failed attempts. Please wait {minutes} minutes before trying again." => {
            "Zu viele fehlgeschlagene Versuche. Bitte warten Sie {minutes} Minuten, bevor Sie es erneut versuchen."
        }
        "Back to the login page" => "Zurück zur Anmeldung",
        // API tokens
        "API tokens" => "API-Tokens",
        "Programs call the Workflow Management Service with a token instead of a password: they send it as Authorization: Bearer followed by the token." => {
            "Programme rufen den Workflow Management Service mit einem Token statt eines Passworts auf: Sie senden es als Authorization: Bearer, gefolgt vom Token."
        }
        "A token acts as its owner, only for the operations chosen, until it expires or is revoked." => {
            "Ein Token handelt als sein Eigentümer, nur für die gewählten Operationen, bis es abläuft oder widerrufen wird."
        }
        "New token" => "Neues Token",
        "e.g. nightly provisioning job" => "z. B. nächtlicher Provisionierungslauf",
        "Owner (user name; empty: you)" => "Eigentümer (Benutzername; leer: Sie)",
        "Valid until (included)" => "Gültig bis (einschließlich)",
        "Operations it may call" => "Erlaubte Operationen",
        "All operations" => "Alle Operationen",
        "Create token" => "Token erstellen",
        "All tokens" => "Alle Tokens",
        "Your tokens" => "Ihre Tokens",
        "Token “{name}” created for {owner}, valid until {until}" => {
            "Token „{name}“ für {owner} erstellt, gültig bis {until}"
        }
        "Copy it now: it is shown only this once and cannot be shown again." => {
            "Kopieren Sie es jetzt: Es wird nur dieses eine Mal angezeigt und kann nicht erneut angezeigt werden."
        }
        "The new token" => "Das neue Token",
        "Owner" => "Eigentümer",
        "Operations" => "Operationen",
        "Created" => "Erstellt",
        "Valid until" => "Gültig bis",
        "Last used" => "Zuletzt benutzt",
        "expired" => "abgelaufen",
        "revoked" => "widerrufen",
        "all" => "alle",
        "never" => "nie",
        "by {who}" => "von {who}",
        "Revoke" => "Widerrufen",
        "Revoke the token {name}" => "Token {name} widerrufen",
        // The server's answers on that screen
        "The token was revoked; programs using it are refused from now on." => {
            "Das Token wurde widerrufen; Programme, die es benutzen, werden ab jetzt abgewiesen."
        }
        "This token is already revoked." => "Dieses Token ist bereits widerrufen.",
        "Name: give the token a name of at most 100 characters." => {
            "Name: Geben Sie dem Token einen Namen mit höchstens 100 Zeichen."
        }
        "Owner: no such user." => "Eigentümer: Diesen Benutzer gibt es nicht.",
        "Owner: you may create tokens only for yourself." => {
            "Eigentümer: Sie dürfen Tokens nur für sich selbst erstellen."
        }
        "Owner: tokens for administrators and for those who act for others are made by themselves." => {
            "Eigentümer: Tokens für Administratoren und für alle, die für andere handeln, erstellen diese selbst."
        }
        "Scopes: choose only operations from the list." => {
            "Operationen: Wählen Sie nur Operationen aus der Liste."
        }
        "Scopes: choose at least one operation, or all operations." => {
            "Operationen: Wählen Sie mindestens eine Operation oder alle Operationen."
        }
        "Valid until: give a date as YYYY-MM-DD." => {
            "Gültig bis: Geben Sie ein Datum als JJJJ-MM-TT an."
        }
        "Valid until: choose a day from today to one year from today." => {
            "Gültig bis: Wählen Sie einen Tag von heute bis in einem Jahr."
        }
        "This user has too many working tokens; revoke one first." => {
            "Dieser Benutzer hat zu viele gültige Tokens; widerrufen Sie zuerst eines."
        }
        _ => return None,
    })
}

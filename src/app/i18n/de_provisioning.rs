//! German texts of provisioning: where access was sent (a request's page, My access) and
//! the administrators' outbox, with the server's messages about them.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Operations and their states
        "Target system" => "Zielsystem",
        "Account" => "Konto",
        "Operation" => "Vorgang",
        "What" => "Was",
        "Changed" => "Geändert",
        "Create account" => "Konto anlegen",
        "Change account" => "Konto ändern",
        "Remove account" => "Konto entfernen",
        "Other" => "Anderes",
        "Waiting" => "Wartet",
        "Sent" => "Gesendet",
        "Confirmed" => "Bestätigt",
        "Parked" => "Zurückgestellt",
        "Dropped" => "Verworfen",
        "Sent to target systems" => "An Zielsysteme gesendet",
        "Waiting for the target system's answer." => "Wartet auf die Antwort des Zielsystems.",
        "This target system does not answer." => "Dieses Zielsystem antwortet nicht.",
        "No message broker is configured (ASSENT_AMQP_URL): messages wait until one is." => {
            "Kein Message Broker eingerichtet (ASSENT_AMQP_URL): Nachrichten warten, bis einer eingerichtet ist."
        }
        "Connecting to the message broker." => "Verbindung zum Message Broker wird aufgebaut.",
        "Connected to the message broker." => "Mit dem Message Broker verbunden.",
        "The message broker cannot be reached: messages wait and go out once it is back." => {
            "Der Message Broker ist nicht erreichbar: Nachrichten warten und gehen hinaus, sobald er wieder da ist."
        }
        // My access
        "My access" => "Meine Zugänge",
        "Your accounts on the company's systems, as Assent last asked them to be." => {
            "Ihre Konten in den Systemen des Unternehmens, so wie Assent sie zuletzt angefordert hat."
        }
        "Assent has not sent any of your access to a target system yet." => {
            "Assent hat noch keinen Ihrer Zugänge an ein Zielsystem gesendet."
        }
        "removal asked" => "Entfernung angefordert",
        "Latest changes" => "Letzte Änderungen",
        // The administrators' outbox
        "Provisioning" => "Provisionierung",
        "Provisioning: messages to target systems" => "Provisionierung: Nachrichten an Zielsysteme",
        "← Administration" => "← Administration",
        "Only administrators see provisioning." => "Nur Administratoren sehen die Provisionierung.",
        "Waiting and parked messages" => "Wartende und zurückgestellte Nachrichten",
        "Nothing waits: every message was sent." => "Nichts wartet: Alle Nachrichten wurden gesendet.",
        "{count} messages, oldest first." => "{count} Nachrichten, älteste zuerst.",
        "Retry" => "Erneut versuchen",
        "Drop" => "Verwerfen",
        "Target systems" => "Zielsysteme",
        "Key" => "Schlüssel",
        "File" => "Datei",
        "Deployed" => "Bereitgestellt",
        "Results" => "Antworten",
        "answers" => "antwortet",
        "does not answer" => "antwortet nicht",
        "Only a parked message can be retried or dropped; this one has moved on." => {
            "Nur eine zurückgestellte Nachricht kann erneut gesendet oder verworfen werden; diese ist schon weiter."
        }
        _ => return None,
    })
}

//! German texts of identity change events: the administrators' page of sources, stopped
//! streams and events set aside, with the server's answers and the consumer's status.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // The page and its sources
        "Change events" => "Änderungsereignisse",
        "Change events: identity changes from HR and other sources" => {
            "Änderungsereignisse: Identitätsänderungen aus dem Personalsystem und anderen Quellen"
        }
        "Only administrators see change events." => {
            "Nur Administratoren sehen die Änderungsereignisse."
        }
        "No change events have arrived yet." => "Es sind noch keine Änderungsereignisse eingetroffen.",
        "Publish a file of events with:" => "Eine Datei mit Ereignissen veröffentlichen Sie mit:",
        "Sources" => "Quellen",
        "Source" => "Quelle",
        "Last sequence" => "Letzte Sequenznummer",
        "Applied" => "Angewendet",
        "Last change (UTC)" => "Letzte Änderung (UTC)",
        "On error" => "Bei Fehlern",
        "Running" => "Läuft",
        "Stopped" => "Angehalten",
        "Stop the stream" => "Ereignisstrom anhalten",
        "Park the event" => "Ereignis zurückstellen",
        "Park bad events instead" => "Fehlerhafte Ereignisse stattdessen zurückstellen",
        "Stop on bad events" => "Bei fehlerhaften Ereignissen anhalten",
        // A stopped stream
        "{source} stopped" => "{source} angehalten",
        "Nothing after this event is applied until it is retried (after fixing its cause) or skipped." => {
            "Nach diesem Ereignis wird nichts angewendet, bis es (nach Behebung der Ursache) erneut versucht oder übersprungen wird."
        }
        "Event ID" => "Ereignis-ID",
        "Sequence" => "Sequenznummer",
        "Stopped since (UTC)" => "Angehalten seit (UTC)",
        "Retry asked by {who}, waiting for the consumer." => {
            "Erneuter Versuch von {who} angefordert, wartet auf die Verarbeitung."
        }
        "Skip asked by {who}, waiting for the consumer." => {
            "Überspringen von {who} angefordert, wartet auf die Verarbeitung."
        }
        "The event as received" => "Das Ereignis, wie es eingetroffen ist",
        "Retry {source}" => "{source} erneut versuchen",
        "Why skip it?" => "Warum überspringen?",
        "Skip event" => "Ereignis überspringen",
        // Events set aside
        "Events set aside" => "Beiseitegelegte Ereignisse",
        "No event was parked or skipped." => "Kein Ereignis wurde zurückgestellt oder übersprungen.",
        "Event" => "Ereignis",
        "Outcome" => "Ergebnis",
        "Skipped" => "Übersprungen",
        "Recorded (UTC)" => "Erfasst (UTC)",
        // The consumer's status
        "No broker is configured (ASSENT_AMQP_URL): no change events are read." => {
            "Kein Message Broker eingerichtet (ASSENT_AMQP_URL): Es werden keine Änderungsereignisse gelesen."
        }
        "Connecting to the broker…" => "Verbindung zum Message Broker wird aufgebaut…",
        "Reading change events from the queue." => "Liest Änderungsereignisse aus der Warteschlange.",
        "Stopped: an event cannot be applied and waits for an administrator." => {
            "Angehalten: Ein Ereignis kann nicht angewendet werden und wartet auf einen Administrator."
        }
        "The broker cannot be reached; events wait on the queue. ({why})" => {
            "Der Message Broker ist nicht erreichbar; die Ereignisse warten in der Warteschlange. ({why})"
        }
        // The server's answers and refusals
        "Retry asked: the stopped event is applied again." => {
            "Erneuter Versuch angefordert: Das angehaltene Ereignis wird noch einmal angewendet."
        }
        "Skip asked: the event is recorded as skipped and the stream goes on." => {
            "Überspringen angefordert: Das Ereignis wird als übersprungen erfasst, und der Ereignisstrom läuft weiter."
        }
        "Events of this source that cannot be applied now stop the stream." => {
            "Ereignisse dieser Quelle, die nicht angewendet werden können, halten den Ereignisstrom jetzt an."
        }
        "Events of this source that cannot be applied are now parked." => {
            "Ereignisse dieser Quelle, die nicht angewendet werden können, werden jetzt zurückgestellt."
        }
        "This source's stream is not stopped: there is nothing to retry or skip." => {
            "Der Ereignisstrom dieser Quelle ist nicht angehalten: Es gibt nichts erneut zu versuchen oder zu überspringen."
        }
        "Say why the event is skipped." => "Geben Sie an, warum das Ereignis übersprungen wird.",
        "Choose stop or park for events that cannot be applied." => {
            "Wählen Sie für Ereignisse, die nicht angewendet werden können, „anhalten“ oder „zurückstellen“."
        }
        _ => return None,
    })
}

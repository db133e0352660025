//! German texts of the definition graph and the replay of a workflow's history, keyed by
//! the English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // The graph
        "Now at" => "Jetzt bei",
        "In error" => "Im Fehler",
        "Done" => "Erledigt",
        "The definition's steps and the ways between them." => {
            "Die Schritte der Definition und die Wege zwischen ihnen."
        }
        "Where it stands" => "Wo er steht",
        "Replay its history step by step" => "Seinen Verlauf Schritt für Schritt abspielen",
        // Replay
        "Replay" => "Wiedergabe",
        "← Workflow" => "← Workflow",
        "This workflow was saved before steps were recorded: its history starts later than the workflow." => {
            "Dieser Workflow wurde gespeichert, bevor Schritte aufgezeichnet wurden: sein Verlauf beginnt später als der Workflow."
        }
        "the engine" => "die Engine",
        "Why" => "Warum",
        "State after" => "Status danach",
        "Steps" => "Schritte",
        "First" => "Erster",
        "Previous" => "Vorheriger",
        "Next" => "Nächster",
        "Last" => "Letzter",
        "Step" => "Schritt",
        "of" => "von",
        "None." => "Keine.",
        "changed" => "geändert",
        "Began" => "Begonnen",
        "Ended" => "Beendet",
        "Decisions" => "Entscheidungen",
        "Asked after this step" => "Gefragt nach diesem Schritt",
        "Why them" => "Warum sie",
        "Flowdata after this step" => "Flowdata nach diesem Schritt",
        "Change" => "Änderung",
        "All steps" => "Alle Schritte",
        _ => return None,
    })
}

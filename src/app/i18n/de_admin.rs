//! German texts of the administrators' workflow screens (dashboard figures, search,
//! inspector and repairs) and the server's messages on them, keyed by the English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Dashboard
        "Workflows: search, inspect and repair" => "Workflows: suchen, prüfen und reparieren",
        "Needs attention" => "Braucht Aufmerksamkeit",
        "Nothing needs attention." => "Nichts braucht Aufmerksamkeit.",
        "Workflows by state" => "Workflows nach Status",
        "Workflows" => "Workflows",
        "Running by definition" => "Laufende nach Definition",
        "Definition" => "Definition",
        "Failing jobs" => "Fehlschlagende Aufträge",
        "Parked provisioning messages" => "Zurückgestellte Provisionierungsnachrichten",
        "Stopped change-event sources" => "Angehaltene Quellen von Änderungsereignissen",
        "External engines down" => "Ausgefallene externe Engines",
        // States and filters
        "Waiting in error" => "Wartet im Fehler",
        "With an overdue work item" => "Mit überfälligem Vorgang",
        "With a failing job" => "Mit fehlschlagendem Auftrag",
        "Running" => "Läuft",
        "Suspended" => "Angehalten",
        "Succeeded" => "Abgeschlossen",
        "Failed" => "Fehlgeschlagen",
        "Aborted" => "Abgebrochen",
        // Search
        "← Newer" => "← Neuere",
        "Older →" => "Ältere →",
        "Page {page} of {pages}" => "Seite {page} von {pages}",
        "{count} workflows found." => "{count} Workflows gefunden.",
        "More than {count} workflows found: narrow the search to see them all." => {
            "Mehr als {count} Workflows gefunden: die Suche eingrenzen, um alle zu sehen."
        }
        "Succeeded and aborted: those that ended in the last {days} days." => {
            "Abgeschlossen und abgebrochen: die in den letzten {days} Tagen beendeten."
        }
        "No workflow matches." => "Kein Workflow passt.",
        "Changed (UTC)" => "Geändert (UTC)",
        // Inspector
        "← Workflows" => "← Workflows",
        "Waiting in error: an activity failed and waits for an administrator." => {
            "Wartet im Fehler: eine Aktivität ist fehlgeschlagen und wartet auf einen Administrator."
        }
        "Ended (UTC)" => "Beendet (UTC)",
        "Activities" => "Aktivitäten",
        "Flowdata" => "Flowdata",
        "Attribute" => "Attribut",
        "Values" => "Werte",
        "Jobs" => "Aufträge",
        "Activity run" => "Aktivitätslauf",
        "Due (UTC)" => "Fällig (UTC)",
        "Attempts" => "Versuche",
        "done" => "erledigt",
        "waiting" => "wartet",
        "Audit trail" => "Audit-Protokoll",
        "The workflow has ended: nothing to repair." => {
            "Der Workflow ist beendet: nichts zu reparieren."
        }
        "Repair" => "Reparieren",
        "Action" => "Aktion",
        "Suspend" => "Anhalten",
        "Resume" => "Fortsetzen",
        "Abort" => "Abbrechen",
        "Reason (kept in the audit trail)" => "Begründung (im Audit-Protokoll festgehalten)",
        "Run" => "Lauf",
        "Asked" => "Gefragt",
        "Error" => "Fehler",
        "Restart" => "Neu starten",
        "Ask instead (user names)" => "Stattdessen fragen (Benutzernamen)",
        "Reassign" => "Neu zuweisen",
        // Dashboard chart and late work
        "Last {days} days: {requests} new requests, {decisions} decisions." => {
            "Letzte {days} Tage: {requests} neue Anträge, {decisions} Entscheidungen."
        }
        "Requests and decisions per day" => "Anträge und Entscheidungen pro Tag",
        "New requests" => "Neue Anträge",
        "Decisions" => "Entscheidungen",
        "The numbers as a table" => "Die Zahlen als Tabelle",
        "Day (UTC)" => "Tag (UTC)",
        "Due within {hours} h" => "Fällig binnen {hours} h",
        "No work item is overdue or due soon." => "Kein Vorgang ist überfällig oder bald fällig.",
        "Approver" => "Genehmiger",
        "Overdue" => "Überfällig",
        "Late work by approver" => "Späte Arbeit nach Genehmiger",
        "Time to decide" => "Zeit bis zur Entscheidung",
        "From being asked to deciding, over the last {days} days; timeouts not counted." => "Von der Anfrage bis zur Entscheidung, in den letzten {days} Tagen; Fristabläufe nicht mitgezählt.",
        "Nobody decided anything in the last {days} days." => "In den letzten {days} Tagen hat niemand entschieden.",
        "Median" => "Median",
        "90 %" => "90 %",
        "99 %" => "99 %",
        "{n} s" => "{n} s",
        "{n} min" => "{n} Min.",
        "{n} h" => "{n} Std.",
        "{n} d" => "{n} Tg.",
        // Audit trail
        "Audit trail: search and export" => "Audit-Protokoll: suchen und exportieren",
        "Kind (e.g. workflow. or login.failed)" => "Art (z. B. workflow. oder login.failed)",
        "Words in the detail" => "Wörter im Detail",
        "From (UTC)" => "Von (UTC)",
        "To (UTC)" => "Bis (UTC)",
        "Export as CSV" => "Als CSV exportieren",
        "No entry matches." => "Kein Eintrag passt.",
        "A filter has at most 200 characters." => "Ein Filter hat höchstens 200 Zeichen.",
        "Give days as YYYY-MM-DD." => "Tage als JJJJ-MM-TT angeben.",
        "The first day comes after the last." => "Der erste Tag liegt nach dem letzten.",
        "New due time (UTC)" => "Neue Fälligkeit (UTC)",
        "Move due time" => "Fälligkeit verschieben",
        // The server's messages
        "Give the new due time." => "Die neue Fälligkeit angeben.",
        "Give the due time as YYYY-MM-DD HH:MM (UTC)." => {
            "Die Fälligkeit als JJJJ-MM-TT HH:MM (UTC) angeben."
        }
        "The due time was moved." => "Die Fälligkeit wurde verschoben.",
        "this approval has no timeout, so it has no due time to move" => {
            "diese Genehmigung hat keine Frist, also keine Fälligkeit zum Verschieben"
        }
        "the new due time has already passed" => "die neue Fälligkeit ist schon vorbei",
        "Say why: a repair needs a reason for the audit trail." => {
            "Bitte begründen: eine Reparatur braucht eine Begründung für das Audit-Protokoll."
        }
        "A reason has at most 500 characters." => "Eine Begründung hat höchstens 500 Zeichen.",
        "Name at most 20 people." => "Höchstens 20 Personen nennen.",
        "{name} is not an active user." => "{name} ist kein aktiver Benutzer.",
        "Unknown state {state}." => "Unbekannter Status {state}.",
        "The workflow is suspended." => "Der Workflow ist angehalten.",
        "The workflow runs again." => "Der Workflow läuft wieder.",
        "The workflow is aborted." => "Der Workflow ist abgebrochen.",
        "The activity was started again." => "Die Aktivität wurde neu gestartet.",
        "The approval now asks the people you named; they were told." => {
            "Die Genehmigung fragt jetzt die genannten Personen; sie wurden benachrichtigt."
        }
        "Choose the activity to repair." => "Die zu reparierende Aktivität wählen.",
        "Name at least one person to ask instead." => {
            "Mindestens eine Person nennen, die stattdessen gefragt wird."
        }
        "Unknown repair." => "Unbekannte Reparatur.",
        _ => return None,
    })
}

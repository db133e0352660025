//! German texts of the approver's and the administrator's pages (worklist, work item,
//! delegations, decision by mail, admin) and the server's messages on them, keyed by the
//! English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Shared by these pages
        "Loading…" => "Wird geladen …",
        "Approve" => "Genehmigen",
        "Reject" => "Ablehnen",
        "Approved." => "Genehmigt.",
        "Rejected." => "Abgelehnt.",
        "Request" => "Antrag",
        "Step" => "Schritt",
        "For" => "Für",
        "Requested by" => "Beantragt von",
        "Items" => "Berechtigungen",
        "Due" => "Fällig",
        "Decision" => "Entscheidung",
        "State" => "Status",
        "Pool" => "Pool",
        "This item has already been decided." => "Über diesen Vorgang wurde bereits entschieden.",
        // Worklist
        "Keyboard shortcuts (?)" => "Tastenkürzel (?)",
        "Keyboard shortcuts" => "Tastenkürzel",
        "next item" => "nächster Vorgang",
        "previous item" => "vorheriger Vorgang",
        "select or unselect the item" => "Vorgang auswählen oder abwählen",
        "select every item from the last selected to this one" => {
            "alle Vorgänge vom zuletzt ausgewählten bis zu diesem auswählen"
        }
        "mark the selected items (or this one) to approve" => {
            "die ausgewählten Vorgänge (oder diesen) zum Genehmigen markieren"
        }
        "mark the selected items (or this one) to reject" => {
            "die ausgewählten Vorgänge (oder diesen) zum Ablehnen markieren"
        }
        "clear the mark" => "Markierung entfernen",
        "open the item" => "Vorgang öffnen",
        "go to the Apply button (then Enter applies the marks)" => {
            "zur Schaltfläche „Anwenden“ springen (Enter wendet dann die Markierungen an)"
        }
        "show or hide this list" => "diese Liste ein- oder ausblenden",
        "Close" => "Schließen",
        "{decided} decided." => "{decided} entschieden.",
        "{decided} decided; {failed} could not be decided." => {
            "{decided} entschieden; {failed} konnten nicht entschieden werden."
        }
        "{done} of {total}" => "{done} von {total}",
        "Applied {done} of {total}…" => "{done} von {total} angewendet …",
        "{count} could not be decided:" => "{count} konnten nicht entschieden werden:",
        "{id} {name} (error {code}): {message}" => "{id} {name} (Fehler {code}): {message}",
        "Any" => "Alle",
        "Mine" => "Meine",
        "Pool, unclaimed" => "Pool, nicht übernommen",
        "Claimed by me" => "Von mir übernommen",
        "Due date" => "Fälligkeit",
        "Oldest first" => "Älteste zuerst",
        "Newest first" => "Neueste zuerst",
        "Requester" => "Antragsteller",
        "Search" => "Suche",
        "Any word of the request" => "Ein beliebiges Wort des Antrags",
        "Workflow" => "Workflow",
        "For (subject)" => "Für (Person)",
        "Sort by" => "Sortieren nach",
        "Overdue only" => "Nur überfällige",
        "Filter" => "Filtern",
        "Clear" => "Zurücksetzen",
        "Pages" => "Seiten",
        "{total} open items · page {page} of {pages}" => {
            "{total} offene Vorgänge · Seite {page} von {pages}"
        }
        "{total} open item · page {page} of {pages}" => {
            "{total} offener Vorgang · Seite {page} von {pages}"
        }
        "← Previous" => "← Zurück",
        "Next →" => "Weiter →",
        "No open item matches this filter." => "Kein offener Vorgang passt zu diesem Filter.",
        "Nothing is waiting for your decision." => "Nichts wartet auf Ihre Entscheidung.",
        "Approvals assigned to you or your pools appear here." => {
            "Genehmigungen, die Ihnen oder Ihren Pools zugewiesen sind, erscheinen hier."
        }
        "Mark the selected items" => "Ausgewählte Vorgänge markieren",
        "Select page" => "Seite auswählen",
        "Mark selected: approve" => "Ausgewählte markieren: genehmigen",
        "Mark selected: reject" => "Ausgewählte markieren: ablehnen",
        "Clear marks" => "Markierungen entfernen",
        "{approve} to approve, {reject} to reject" => {
            "{approve} zu genehmigen, {reject} abzulehnen"
        }
        "Selected" => "Ausgewählt",
        "Waiting since" => "Wartet seit",
        "Apply the marked decisions" => "Markierte Entscheidungen anwenden",
        "All {total} items matching the filter" => "Alle {total} zum Filter passenden Vorgänge",
        "The {total} item matching the filter" => "Der {total} zum Filter passende Vorgang",
        "Only the marked items" => "Nur die markierten Vorgänge",
        "Approve all of them" => "Alle genehmigen",
        "Reject all of them" => "Alle ablehnen",
        "Reason for the approvals" => "Begründung der Genehmigungen",
        "Reason for the rejections" => "Begründung der Ablehnungen",
        "Apply" => "Anwenden",
        "Select {workflow} for {subject}" => "{workflow} für {subject} auswählen",
        "Decision on {workflow} for {subject}" => "Entscheidung über {workflow} für {subject}",
        "Claimed by you" => "Von Ihnen übernommen",
        "overdue" => "überfällig",
        // Work item
        "Decide" => "Entscheiden",
        "← Worklist" => "← Arbeitsliste",
        "This item is not in your worklist." => "Dieser Vorgang ist nicht in Ihrer Arbeitsliste.",
        "Required when you reject." => "Erforderlich, wenn Sie ablehnen.",
        "Optional." => "Optional.",
        "Step: {step}" => "Schritt: {step}",
        "Segregation of duties: {subject} already holds {conflicts}, which conflicts with what is asked." => {
            "Funktionstrennung: {subject} hat bereits {conflicts}, was mit dem Beantragten unvereinbar ist."
        }
        "Your decision" => "Ihre Entscheidung",
        "Reason" => "Begründung",
        "Submit decision" => "Entscheidung absenden",
        "Forward to (user name)" => "Weiterleiten an (Benutzername)",
        "Forward" => "Weiterleiten",
        "History" => "Verlauf",
        "This item is offered to several people. Claim it so the others no longer see it." => {
            "Dieser Vorgang ist mehreren Personen zugewiesen. Übernehmen Sie ihn, damit die anderen ihn nicht mehr sehen."
        }
        "Claim" => "Übernehmen",
        "You claimed this item: the other candidates do not see it until you release it." => {
            "Sie haben diesen Vorgang übernommen: Die anderen sehen ihn erst wieder, wenn Sie ihn freigeben."
        }
        "Release to the pool" => "An den Pool freigeben",
        "{who} has claimed this item." => "{who} hat diesen Vorgang übernommen.",
        "Forwarded to {to}." => "Weitergeleitet an {to}.",
        "Cannot forward to {who}: {why}." => "Weiterleiten an {who} nicht möglich: {why}.",
        "Forward to: {why}" => "Weiterleiten an: {why}",
        "{who} has already claimed this item" => "{who} hat diesen Vorgang bereits übernommen",
        // Delegations
        "While you are away, a substitute receives the approvals that would come to you." => {
            "Während Sie abwesend sind, erhält eine Vertretung die Genehmigungen, die an Sie gingen."
        }
        "Items already in your worklist stay there; forward them from the item if needed." => {
            "Vorgänge, die schon in Ihrer Arbeitsliste sind, bleiben dort; leiten Sie sie bei Bedarf aus dem Vorgang weiter."
        }
        "New delegation" => "Neue Vertretung",
        "Substitute (user name)" => "Vertretung (Benutzername)",
        "From" => "Von",
        "Until (included)" => "Bis (einschließlich)",
        "Delegate" => "Vertretung einrichten",
        "Who stands in for you" => "Wer Sie vertritt",
        "For whom you stand in" => "Wen Sie vertreten",
        "None." => "Keine.",
        "Substitute" => "Vertretung",
        "In place of" => "Anstelle von",
        "Until" => "Bis",
        "Actions" => "Aktionen",
        "End the delegation to {who}" => "Vertretung durch {who} beenden",
        "active" => "aktiv",
        "planned" => "geplant",
        "End" => "Beenden",
        "{who} no longer stands in for you." => "{who} vertritt Sie nicht mehr.",
        "{who} stands in for you from {from} to {until}." => {
            "{who} vertritt Sie vom {from} bis zum {until}."
        }
        // Decision by mail
        "Confirm your decision" => "Entscheidung bestätigen",
        "Decision by link" => "Entscheidung per Link",
        "Open your worklist" => "Arbeitsliste öffnen",
        "Approve this request?" => "Diesen Antrag genehmigen?",
        "Confirm approval" => "Genehmigung bestätigen",
        "Reject this request?" => "Diesen Antrag ablehnen?",
        "Confirm rejection" => "Ablehnung bestätigen",
        "Deciding as" => "Entscheidung als",
        "Reason *" => "Begründung *",
        "Reason (optional)" => "Begründung (optional)",
        "Open your worklist instead" => "Stattdessen die Arbeitsliste öffnen",
        // Admin
        "This page is for administrators." => "Diese Seite ist für Administratoren.",
        "Figures" => "Kennzahlen",
        "Users" => "Benutzer",
        "Disabled" => "Deaktiviert",
        "Departments" => "Abteilungen",
        "Catalog items" => "Katalogeinträge",
        "Running workflows" => "Laufende Workflows",
        "Workflow definitions" => "Workflow-Definitionen",
        "Path" => "Pfad",
        "Name" => "Name",
        "Version" => "Version",
        "Deployed (UTC)" => "Bereitgestellt (UTC)",
        "By" => "Von",
        "start-up" => "Systemstart",
        "Deploy a definition" => "Definition bereitstellen",
        "File name" => "Dateiname",
        "Definition (TOML)" => "Definition (TOML)",
        "Check and deploy" => "Prüfen und bereitstellen",
        "Deployed {path} as version {version}." => "{path} als Version {version} bereitgestellt.",
        "Unchanged: {path} version {version} already has this text." => {
            "Unverändert: {path} hat in Version {version} bereits diesen Text."
        }
        "Recent audit events" => "Letzte Audit-Ereignisse",
        "External workflow engines" => "Externe Workflow-Engines",
        "No external engine is configured (integrations file)." => {
            "Keine externe Engine ist eingerichtet (Integrationsdatei)."
        }
        "Engine" => "Engine",
        "Kind" => "Art",
        "Waiting hand-offs" => "Wartende Übergaben",
        "Last checked (UTC)" => "Zuletzt geprüft (UTC)",
        "Last error" => "Letzter Fehler",
        "up" => "erreichbar",
        "down" => "nicht erreichbar",
        "unknown" => "unbekannt",
        "When (UTC)" => "Wann (UTC)",
        "Who" => "Wer",
        "What" => "Was",
        "Detail" => "Details",
        // The server's messages on these pages
        "Approved. Thank you." => "Genehmigt. Vielen Dank.",
        "Rejected. Thank you." => "Abgelehnt. Vielen Dank.",
        "Please give a reason for rejecting." => "Bitte geben Sie einen Grund für die Ablehnung an.",
        "This request is no longer running." => "Dieser Antrag läuft nicht mehr.",
        "Your request was withdrawn." => "Ihr Antrag wurde zurückgezogen.",
        "Claimed: the item is yours until you decide or release it." => {
            "Übernommen: Der Vorgang gehört Ihnen, bis Sie entscheiden oder ihn freigeben."
        }
        "Released: the item is back in the pool." => "Freigegeben: Der Vorgang ist wieder im Pool.",
        "Mark at least one item to approve or reject." => {
            "Markieren Sie mindestens einen Vorgang zum Genehmigen oder Ablehnen."
        }
        "Apply to all matching items with approve or reject." => {
            "Alle passenden Vorgänge lassen sich nur genehmigen oder ablehnen."
        }
        "At most 5000 items at once." => "Höchstens 5000 Vorgänge auf einmal.",
        "The search filter has at most 200 characters." => {
            "Der Suchfilter hat höchstens 200 Zeichen."
        }
        "The definition filter has at most 200 characters." => {
            "Der Workflow-Filter hat höchstens 200 Zeichen."
        }
        "The requester filter has at most 200 characters." => {
            "Der Antragsteller-Filter hat höchstens 200 Zeichen."
        }
        "The subject filter has at most 200 characters." => {
            "Der Personen-Filter hat höchstens 200 Zeichen."
        }
        "The state filter is one of personal, pool or claimed." => {
            "Der Statusfilter ist personal, pool oder claimed."
        }
        "Sort by due, oldest, newest or requester." => {
            "Sortiert wird nach due, oldest, newest oder requester."
        }
        "not an item reference" => "kein Verweis auf einen Vorgang",
        "Substitute: no such user." => "Vertretung: Diesen Benutzer gibt es nicht.",
        "Substitute: you cannot stand in for yourself." => {
            "Vertretung: Sie können sich nicht selbst vertreten."
        }
        "From: give a date as YYYY-MM-DD." => "Von: Geben Sie ein Datum als JJJJ-MM-TT an.",
        "Until: give a date as YYYY-MM-DD." => "Bis: Geben Sie ein Datum als JJJJ-MM-TT an.",
        "Until: the last day comes on or after the first." => {
            "Bis: Der letzte Tag liegt am oder nach dem ersten."
        }
        "Until: a delegation covers at most 366 days." => {
            "Bis: Eine Vertretung umfasst höchstens 366 Tage."
        }
        "Until: the period is already over." => "Bis: Der Zeitraum ist bereits vorbei.",
        "You have 20 delegations already; remove one first." => {
            "Sie haben bereits 20 Vertretungen; entfernen Sie zuerst eine."
        }
        "From: this period overlaps another of your delegations." => {
            "Von: Dieser Zeitraum überschneidet sich mit einer anderen Ihrer Vertretungen."
        }
        "This link is not valid." => "Dieser Link ist ungültig.",
        "This link has expired. Decide from your worklist instead." => {
            "Dieser Link ist abgelaufen. Entscheiden Sie stattdessen in Ihrer Arbeitsliste."
        }
        "This link was already used." => "Dieser Link wurde bereits verwendet.",
        "This link has been replaced: use the newest mail, or your worklist." => {
            "Dieser Link wurde ersetzt: Verwenden Sie die neueste E-Mail oder Ihre Arbeitsliste."
        }
        "The file name must end in .toml and use only letters, digits, - _ and ." => {
            "Der Dateiname muss auf .toml enden und darf nur Buchstaben, Ziffern, - _ und . enthalten."
        }
        "A definition has at most 256 KiB." => "Eine Definition hat höchstens 256 KiB.",
        // The workflow engine's refusals (EngineError, WorkflowError)
        "this instance runs another definition version" => {
            "dieser Vorgang läuft mit einer anderen Version der Definition"
        }
        "the workflow is SUSPENDED and accepts no such event" => {
            "der Workflow ist angehalten und nimmt dieses Ereignis nicht an"
        }
        "the workflow is SUCCEEDED and accepts no such event" => {
            "der Workflow ist abgeschlossen und nimmt dieses Ereignis nicht an"
        }
        "the workflow is FAILED and accepts no such event" => {
            "der Workflow ist fehlgeschlagen und nimmt dieses Ereignis nicht an"
        }
        "the workflow is ABORTED and accepts no such event" => {
            "der Workflow ist abgebrochen und nimmt dieses Ereignis nicht an"
        }
        "this activity is not waiting for a decision" => {
            "dieser Schritt wartet nicht auf eine Entscheidung"
        }
        "you are not an approver of this item" => "Sie sind kein Genehmiger dieses Vorgangs",
        "you cannot decide on your own request" => {
            "Sie können nicht über Ihren eigenen Antrag entscheiden"
        }
        "you have already decided on this item" => {
            "Sie haben über diesen Vorgang bereits entschieden"
        }
        "a reason is required to reject" => "für eine Ablehnung ist eine Begründung nötig",
        "a reason has at most 2000 characters" => "eine Begründung hat höchstens 2000 Zeichen",
        "only items offered to several people can be claimed" => {
            "nur Vorgänge, die mehreren Personen zugewiesen sind, können übernommen werden"
        }
        "you have not claimed this item" => "Sie haben diesen Vorgang nicht übernommen",
        "the requester cannot decide on their own request" => {
            "der Antragsteller kann nicht über seinen eigenen Antrag entscheiden"
        }
        "no such active user" => "kein aktiver Benutzer dieses Namens",
        "already an approver of this item" => "bereits Genehmiger dieses Vorgangs",
        "a user name is required" => "ein Benutzername ist erforderlich",
        "a user name has at most 64 characters" => "ein Benutzername hat höchstens 64 Zeichen",
        "a user name may contain only letters a-z, digits and . _ -" => {
            "ein Benutzername darf nur Buchstaben a-z, Ziffern und . _ - enthalten"
        }
        "the workflow writer has stopped" => "der Workflow-Schreiber wurde beendet",
        _ => return None,
    })
}

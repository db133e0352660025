//! German texts of the requester's pages (catalog, request form, cart, my requests, a
//! request's timeline, start, login, not found) and of the messages they show, keyed by
//! the English text.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        // Words several pages share
        "Loading…" => "Wird geladen …",
        "Search" => "Suchen",
        "State" => "Status",
        "Request" => "Antrag",
        "For" => "Für",
        "Items" => "Berechtigungen",
        "Submitted" => "Eingereicht",
        "← Catalog" => "← Katalog",
        "Request {name}" => "{name} beantragen",
        "Your request was submitted. Workflow ID: {id}" => {
            "Ihr Antrag wurde eingereicht. Workflow-ID: {id}"
        }
        // Catalog
        "Cart ({count})" => "Warenkorb ({count})",
        "Search roles and resources" => "Rollen und Ressourcen suchen",
        "Category" => "Kategorie",
        "All categories" => "Alle Kategorien",
        "Nothing matches your search." => "Keine Treffer für diese Suche.",
        "{kind} · {category} · owner {owner}" => {
            "{kind} · {category} · verantwortlich: {owner}"
        }
        "Add to cart: {name}" => "In den Warenkorb: {name}",
        "Add to cart" => "In den Warenkorb",
        "{item} added to your cart." => "{item} liegt jetzt im Warenkorb.",
        "{item} is already in your cart." => "{item} liegt bereits im Warenkorb.",
        // Request form
        "{description} · approval: {workflow}" => "{description} · Genehmigung: {workflow}",
        "Follow it in My requests" => "Unter „Meine Anträge“ verfolgen",
        "Submit request" => "Antrag einreichen",
        "Choose…" => "Auswählen …",
        "Requested for" => "Beantragt für",
        "{name} (myself)" => "{name} (ich selbst)",
        // Cart
        "Cart" => "Warenkorb",
        "Your request was submitted as {count} workflows." => {
            "Ihr Antrag wurde als {count} Workflows eingereicht."
        }
        "Your request was submitted as {count} workflow." => {
            "Ihr Antrag wurde als {count} Workflow eingereicht."
        }
        "Workflow ID:" => "Workflow-ID:",
        "{error} Nothing was requested yet." => "{error} Es wurde noch nichts beantragt.",
        "Your cart is empty." => "Ihr Warenkorb ist leer.",
        "Add roles and resources from the catalog." => {
            "Rollen und Ressourcen aus dem Katalog hinzufügen."
        }
        "Request everything" => "Alles beantragen",
        "Approved by: {workflow}" => "Genehmigung durch: {workflow}",
        "Remove {name} from the cart" => "{name} aus dem Warenkorb entfernen",
        "{kind} · owner {owner}" => "{kind} · verantwortlich: {owner}",
        "Remove" => "Entfernen",
        // My requests
        "{count} requests submitted." => "{count} Anträge eingereicht.",
        "{count} request submitted." => "{count} Antrag eingereicht.",
        "Any word of the request" => "Ein beliebiges Wort des Antrags",
        "Any" => "Alle",
        "Open" => "Offen",
        "Accepted" => "Genehmigt",
        "Rejected" => "Abgelehnt",
        "Withdrawn" => "Zurückgezogen",
        "Failed" => "Fehlgeschlagen",
        "Filter" => "Filtern",
        "Clear" => "Zurücksetzen",
        "No request matches." => "Kein Antrag gefunden.",
        "Requests you submit appear here with their state and current step." => {
            "Ihre Anträge erscheinen hier mit Status und aktuellem Schritt."
        }
        "Current step" => "Aktueller Schritt",
        // A request and its timeline
        "← My requests" => "← Meine Anträge",
        "This request is not yours to follow." => "Diesen Antrag dürfen Sie nicht einsehen.",
        "Workflow ID" => "Workflow-ID",
        "Timeline" => "Verlauf",
        "Withdraw request" => "Antrag zurückziehen",
        "Step" => "Schritt",
        "Started (UTC)" => "Begonnen (UTC)",
        "Who and what" => "Wer und was",
        // A request's state in the requester's words
        "Approved" => "Genehmigt",
        "Starting" => "Wird gestartet",
        "In progress" => "In Bearbeitung",
        "On hold" => "Angehalten",
        "Completed" => "Abgeschlossen",
        // The states of a request and of its steps, as the server names them
        "INITIAL" => "NEU",
        "RUNNABLE" => "BEREIT",
        "RUNNING" => "LÄUFT",
        "SUSPENDED" => "ANGEHALTEN",
        "SUCCEEDED" => "ABGESCHLOSSEN",
        "FAILED" => "FEHLGESCHLAGEN",
        "WAIT_IN_ERROR" => "WARTET NACH FEHLER",
        "ABORTED" => "ABGEBROCHEN",
        "ACCEPTED" => "GENEHMIGT",
        "REJECTED" => "ABGELEHNT",
        // Start page
        "Welcome, {name}" => "Willkommen, {name}",
        "Follow what you asked for: state, current step and who decides." => {
            "Verfolgen Sie Ihre Anträge: Status, aktueller Schritt und wer entscheidet."
        }
        "Nothing is waiting for your decision." => "Nichts wartet auf Ihre Entscheidung.",
        "{count} items wait for your decision." => {
            "{count} Vorgänge warten auf Ihre Entscheidung."
        }
        "Directory figures and the audit trail." => "Kennzahlen des Verzeichnisses und Prüfprotokoll.",
        // Login
        "Requests and approvals for access at your company." => {
            "Anträge und Genehmigungen für Zugriffe in Ihrem Unternehmen."
        }
        "The user name or password is incorrect." => "Benutzername oder Passwort ist falsch.",
        "You have logged out." => "Sie haben sich abgemeldet.",
        "Your session has ended. Please log in again." => {
            "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."
        }
        "User name" => "Benutzername",
        "Password" => "Passwort",
        "Show" => "Anzeigen",
        "Hide" => "Verbergen",
        // Not found
        "Not found" => "Nicht gefunden",
        "Page not found" => "Seite nicht gefunden",
        "There is nothing at this address." => "Unter dieser Adresse gibt es nichts.",
        "Go to the start page" => "Zur Startseite",
        // Messages of the server these pages show
        "Please correct the marked fields." => "Bitte korrigieren Sie die markierten Felder.",
        "Requested for: you may request only for yourself and the people who report to you." => {
            "Beantragt für: Sie dürfen nur für sich selbst und Ihre direkt unterstellten Mitarbeitenden beantragen."
        }
        "Removed from your cart." => "Aus dem Warenkorb entfernt.",
        "A cart holds at most 20 items." => "Ein Warenkorb fasst höchstens 20 Berechtigungen.",
        "Your request was withdrawn." => "Ihr Antrag wurde zurückgezogen.",
        "The state filter is one of open, accepted, rejected, withdrawn or failed." => {
            "Der Statusfilter ist einer von open, accepted, rejected, withdrawn oder failed."
        }
        "The search has at most 200 characters." => "Die Suche hat höchstens 200 Zeichen.",
        "no workflow definition applies to this request" => {
            "für diesen Antrag gilt keine Workflow-Definition"
        }
        "the workflow is SUCCEEDED and accepts no such event" => {
            "der Workflow ist abgeschlossen und nimmt dies nicht mehr an"
        }
        "the workflow is FAILED and accepts no such event" => {
            "der Workflow ist fehlgeschlagen und nimmt dies nicht mehr an"
        }
        "the workflow is ABORTED and accepts no such event" => {
            "der Workflow ist abgebrochen und nimmt dies nicht mehr an"
        }
        // A form field's messages (the engine's form check)
        "this form has no such field" => "dieses Formular hat kein solches Feld",
        "this field is required" => "dieses Feld muss ausgefüllt werden",
        "this box must be ticked" => "dieses Kästchen muss angekreuzt werden",
        "give one value" => "nur einen Wert angeben",
        "at least {value} characters" => "mindestens {value} Zeichen",
        "at most {value} characters" => "höchstens {value} Zeichen",
        "at least {value}" => "mindestens {value}",
        "at most {value}" => "höchstens {value}",
        "does not have the expected format" => "hat nicht das erwartete Format",
        "enter a number" => "eine Zahl eingeben",
        "enter a date as YYYY-MM-DD" => "ein Datum als JJJJ-MM-TT eingeben",
        "{value} is not one of the choices" => "{value} ist keine der Auswahlmöglichkeiten",
        "tick the box or leave it empty" => "das Kästchen ankreuzen oder leer lassen",
        "a user name is required" => "ein Benutzername ist erforderlich",
        "a user name has at most 64 characters" => "ein Benutzername hat höchstens 64 Zeichen",
        "a user name may contain only letters a-z, digits and . _ -" => {
            "ein Benutzername darf nur Buchstaben a-z, Ziffern und . _ - enthalten"
        }
        _ => return None,
    })
}

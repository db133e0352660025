//! German texts of the administrators' Users screen and the server's messages on it,
//! keyed by the English text. Texts other screens already translate are left to them.

pub(super) fn get(en: &str) -> Option<&'static str> {
    Some(match en {
        "Users" => "Benutzer",
        "User" => "Benutzer",
        "← Users" => "← Benutzer",
        "Users: accounts, groups, passwords and delegations" => {
            "Benutzer: Konten, Gruppen, Passwörter und Vertretungen"
        }
        "Create an account" => "Ein Konto anlegen",
        "Create" => "Anlegen",
        "Name" => "Name",
        "E-mail" => "E-Mail",
        "Title" => "Titel",
        "Manager" => "Vorgesetzter",
        "Manager (user name)" => "Vorgesetzter (Benutzername)",
        "Department" => "Abteilung",
        "Name, user name or e-mail" => "Name, Benutzername oder E-Mail",
        "Show disabled accounts" => "Deaktivierte Konten zeigen",
        "More →" => "Weitere →",
        "Active" => "Aktiv",
        "Disabled" => "Deaktiviert",
        "Roles" => "Rollen",
        "Reports" => "Mitarbeitende",
        "Open items" => "Offene Vorgänge",
        "Password" => "Passwort",
        "set" => "gesetzt",
        "none yet" => "noch keines",
        "Created (UTC)" => "Angelegt (UTC)",
        "Name and place" => "Name und Stelle",
        "Save" => "Speichern",
        "Access" => "Zugang",
        "A disabled account cannot log in; its sessions end at once and its open items are asked of others." => {
            "Ein deaktiviertes Konto kann sich nicht anmelden; seine Sitzungen enden sofort und seine offenen Vorgänge gehen an andere."
        }
        "Enable the account" => "Das Konto aktivieren",
        "Disable the account" => "Das Konto deaktivieren",
        "Give a new one-time password" => "Ein neues Einmal-Passwort vergeben",
        "The new password, shown only now: " => "Das neue Passwort, nur jetzt sichtbar: ",
        "Groups" => "Gruppen",
        "Join a group" => "Einer Gruppe beitreten",
        "Join" => "Beitreten",
        "Leave" => "Verlassen",
        "Leave {group}" => "{group} verlassen",
        "Who is replaced" => "Wer vertreten wird",
        "From (UTC)" => "Von (UTC)",
        "Until (UTC)" => "Bis (UTC)",
        "End" => "Beenden",
        "now" => "jetzt",
        "planned" => "geplant",
        // The server's messages
        "Search with at most 100 characters." => "Mit höchstens 100 Zeichen suchen.",
        "You cannot disable or enable your own account." => {
            "Das eigene Konto kann man nicht deaktivieren oder aktivieren."
        }
        "Name a group to join or leave." => "Eine Gruppe zum Beitreten oder Verlassen nennen.",
        "Enable the account before giving it a password." => {
            "Das Konto erst aktivieren, dann ein Passwort vergeben."
        }
        "User name: lower-case letters, digits, dot, dash and underscore." => {
            "Benutzername: Kleinbuchstaben, Ziffern, Punkt, Bindestrich und Unterstrich."
        }
        "Name: give the name people see." => "Name: den Namen angeben, den andere sehen.",
        "Name: at most 200 characters." => "Name: höchstens 200 Zeichen.",
        "E-mail: give an address such as ada@example.com, or none." => {
            "E-Mail: eine Adresse wie ada@example.com angeben, oder keine."
        }
        "Title: at most 200 characters." => "Titel: höchstens 200 Zeichen.",
        "Manager: give a user name." => "Vorgesetzter: einen Benutzernamen angeben.",
        "Department: at most 100 characters." => "Abteilung: höchstens 100 Zeichen.",
        "Choose enable or disable." => "Aktivieren oder deaktivieren wählen.",
        "Group: at most 100 characters." => "Gruppe: höchstens 100 Zeichen.",
        _ => return None,
    })
}

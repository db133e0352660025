//! Account chores from the command line, for the people who run Assent:
//! `assent users set-password NAME` gives an account a password (read from stdin), so a
//! person hired through a change event can log in.

use super::accounts::{insert_audit, AuditEntry};
use super::entities::user;
use super::passwords::{self, MAX_PASSWORD_BYTES};
use assent_engine::UserName;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::io::BufRead;

/// The shortest password accepted.
const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Set an account's password, read as one line from stdin (never an argument, which
    /// other users of the machine could see).
    SetPassword {
        /// The user name.
        user: String,
    },
}

/// Runs the action on the database at `database_url`; the error is for the terminal.
pub async fn run(database_url: &str, action: Action) -> Result<(), String> {
    let Action::SetPassword { user: name } = action;
    let name = UserName::parse(&name).map_err(|e| format!("user name: {e}"))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "the password may have at most {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    let database = super::db::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    super::db::migrate(&database)
        .await
        .map_err(|e| e.to_string())?;
    let db = &database.connection;
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(name.as_str()))
        .one(db)
        .await
        .map_err(|e| format!("cannot read the account: {e}"))?
        .ok_or_else(|| format!("no user {name}"))?;
    let hash = passwords::hash(password).await;
    let mut changed: user::ActiveModel = found.into();
    changed.password_hash = Set(Some(hash));
    changed
        .update(db)
        .await
        .map_err(|e| format!("cannot store the password: {e}"))?;
    insert_audit(
        db,
        AuditEntry {
            actor: None,
            action: "account.password_set",
            detail: format!("password of {name} set from the command line"),
            request_id: None,
        },
    )
    .await
    .map_err(|e| format!("cannot audit the change: {e}"))?;
    println!("password of {name} set");
    Ok(())
}

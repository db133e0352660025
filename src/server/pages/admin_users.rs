//! The server side of the administrators' Users screen. The form's fields are parsed here
//! into the use case's types; what may change is decided in `usecases::users`.

use super::{after_form_post, fail, require_user, state};
use crate::model::users::{UserDetail, UserPage, UserQuery};
use crate::model::AppError;
use crate::server::changes::apply::Applier;
use crate::server::rights::{Granted, ManageAccounts};
use crate::server::usecases::users::{self, UserEdit};
use assent_engine::changes::UserAttributes;
use assent_engine::UserName;

async fn manager() -> Result<(crate::model::SessionUser, Granted<ManageAccounts>), AppError> {
    let user = require_user().await?;
    let may = Granted::<ManageAccounts>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    Ok((user, may))
}

fn user_name(raw: &str) -> Result<UserName, AppError> {
    UserName::parse(raw.trim()).map_err(|_| {
        fail(AppError::Invalid(
            "User name: lower-case letters, digits, dot, dash and underscore.".into(),
        ))
    })
}

pub async fn users(query: UserQuery) -> Result<UserPage, AppError> {
    let (_, may) = manager().await?;
    users::search(may, &state()?.db.connection, &query)
        .await
        .map_err(|e| fail(e.into()))
}

pub async fn user(username: String) -> Result<UserDetail, AppError> {
    let (_, may) = manager().await?;
    let name = UserName::parse(username.trim()).map_err(|_| fail(AppError::NotFound))?;
    let state = state()?;
    users::detail(may, &state.db.connection, &name, state.workflows.now())
        .await
        .map_err(|e| fail(e.into()))
}

/// The account form as sent.
pub struct AccountForm {
    pub create: bool,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub title: String,
    pub manager: String,
    pub department: String,
}

pub async fn save(form: AccountForm) -> Result<String, AppError> {
    let (me, may) = manager().await?;
    let user = user_name(&form.username)?;
    let attributes =
        attributes(&form).map_err(|message| fail(AppError::Invalid(message.into())))?;
    let edit = if form.create {
        UserEdit::Create {
            user: user.clone(),
            attributes,
        }
    } else {
        UserEdit::Update {
            user: user.clone(),
            attributes,
        }
    };
    done(may, &me.username, edit, &user).await
}

fn attributes(form: &AccountForm) -> Result<UserAttributes, &'static str> {
    let display_name = form.display_name.trim();
    if display_name.is_empty() {
        return Err("Name: give the name people see.");
    }
    if display_name.chars().count() > 200 {
        return Err("Name: at most 200 characters.");
    }
    let email = form.email.trim();
    if email.len() > 254 || (!email.is_empty() && !email.contains('@')) {
        return Err("E-mail: give an address such as ada@example.com, or none.");
    }
    let title = form.title.trim();
    if title.chars().count() > 200 {
        return Err("Title: at most 200 characters.");
    }
    let manager = match form.manager.trim() {
        "" => None,
        name => Some(UserName::parse(name).map_err(|_| "Manager: give a user name.")?),
    };
    let department = form.department.trim();
    if department.chars().count() > 100 {
        return Err("Department: at most 100 characters.");
    }
    Ok(UserAttributes {
        display_name: Some(display_name.to_owned()),
        email: Some(email.to_owned()),
        title: Some(title.to_owned()),
        manager: Some(manager),
        department: Some((!department.is_empty()).then(|| department.to_owned())),
        ..UserAttributes::default()
    })
}

pub async fn set_access(username: String, access: String) -> Result<String, AppError> {
    let (me, may) = manager().await?;
    let user = user_name(&username)?;
    let edit = match access.as_str() {
        "enable" => UserEdit::Enable(user.clone()),
        "disable" => UserEdit::Disable(user.clone()),
        _ => return Err(fail(AppError::Invalid("Choose enable or disable.".into()))),
    };
    done(may, &me.username, edit, &user).await
}

pub async fn groups(username: String, join: String, leave: String) -> Result<String, AppError> {
    let (me, may) = manager().await?;
    let user = user_name(&username)?;
    let group = |raw: &str| -> Result<Vec<String>, AppError> {
        let name = raw.trim();
        if name.chars().count() > 100 {
            return Err(fail(AppError::Invalid(
                "Group: at most 100 characters.".into(),
            )));
        }
        Ok((!name.is_empty())
            .then(|| name.to_owned())
            .into_iter()
            .collect())
    };
    let edit = UserEdit::Groups {
        user: user.clone(),
        join: group(&join)?,
        leave: group(&leave)?,
    };
    done(may, &me.username, edit, &user).await
}

async fn done(
    may: Granted<ManageAccounts>,
    actor: &UserName,
    edit: UserEdit,
    user: &UserName,
) -> Result<String, AppError> {
    let applier = Applier::new(state()?.workflows.clone());
    let answer = users::edit(may, &applier, actor, edit)
        .await
        .map_err(|e| fail(e.into()))?;
    after_form_post(&format!("/admin/users/{user}")).await;
    Ok(answer)
}

pub async fn reset_password(username: String) -> Result<String, AppError> {
    let (me, may) = manager().await?;
    let user = user_name(&username)?;
    users::reset_password(may, &state()?.db.connection, &me.username, &user)
        .await
        .map_err(|e| fail(e.into()))
}

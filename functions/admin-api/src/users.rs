//! `/tenants/{tenantId}/users`: the ATS's users, whom Recruiter seats are linked to.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::Deserialize;
use shared::domain::AtsUser;
use shared::http::{self, Answer, Refusal};
use shared::ids;

use crate::AdminApi;
use crate::request::{paging, text};
use crate::views::{UserView, list};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UserInput {
    email: String,
    first_name: String,
    last_name: String,
    #[serde(default)]
    member: Option<String>,
}

impl AdminApi {
    pub(crate) async fn put_user(&self, tenant_id: &str, user_id: &str, body: UserInput) -> Answer {
        self.registered(tenant_id).await?;
        let email = body.email.trim().to_owned();
        let at = email.find('@');
        if email.len() > 254
            || at.is_none_or(|i| i == 0 || i == email.len() - 1)
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Refusal::invalid(
                "email must be an address like name@example.com",
            ));
        }
        if let Some(member) = &body.member {
            ids::check_member_urn(member)?;
        }
        let now = self.clock.now_ms();
        let existing = self.store.get_user(tenant_id, user_id).await?;
        let user = AtsUser {
            tenant_id: tenant_id.to_owned(),
            user_id: user_id.to_owned(),
            email,
            first_name: text("firstName", &body.first_name, 100)?,
            last_name: text("lastName", &body.last_name, 100)?,
            member: body.member,
            created_at: existing.as_ref().map_or(now, |u| u.created_at),
            updated_at: now,
        };
        self.store.put_user(&user).await?;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &UserView::from(&user),
        ))
    }

    pub(crate) async fn get_user(&self, tenant_id: &str, user_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let user = self
            .store
            .get_user(tenant_id, user_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such user"))?;
        Ok(http::json(200, &UserView::from(&user)))
    }

    pub(crate) async fn list_users(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_users(tenant_id, limit, token).await?;
        list(&page, UserView::from)
    }
}

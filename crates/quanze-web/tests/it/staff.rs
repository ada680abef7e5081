//! The staff's pages over HTTP: sign-in with a database session, the lockout policy stated,
//! the same answer for an unknown account and a wrong password, no open redirect, the desk,
//! a unit's inbox and a case page, signing out.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::helpers::{TestApp, spawn_app};

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Posts the sign-in form; (status, Location, the session cookie `name=value`, body).
async fn sign_in(
    app: &TestApp,
    username: &str,
    password: &str,
    next: &str,
) -> (StatusCode, String, Option<String>, String) {
    let res = client()
        .post(format!("{}/staff/login", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", username), ("password", password), ("next", next)])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let cookie = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("quanze_session="));
    if let Some(c) = &cookie {
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
    }
    let cookie = cookie.map(|c| c.split(';').next().unwrap().to_owned());
    (status, location.unwrap_or_default(), cookie, res.text().await.unwrap())
}

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
    let mut req = client().get(format!("{}{path}", app.base));
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let location = res.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
    (status, location.unwrap_or_default(), res.text().await.unwrap())
}

#[tokio::test]
async fn staff_sign_in_work_through_their_inbox_and_sign_out() {
    let app = spawn_app(true).await;
    // Not signed in: to the sign-in page, which brings the reader back.
    let (status, to, _) = get(&app, "/staff", None).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/staff/login?next=%2Fstaff"));
    let (status, _, page) = get(&app, "/staff/login?next=%2Fstaff", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("同一账户连续登录失败 5 次后") && page.contains("最长 30 分钟"),
        "the policy is stated"
    );
    // A wrong password and an unknown account get the same answer; the name stays typed.
    let (status, _, cookie, wrong) = sign_in(&app, "clerk", "not-the-password", "/staff").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none(), "no session for a refused sign-in");
    assert!(wrong.contains("用户名或密码不正确") && wrong.contains("value=\"clerk\""), "{wrong}");
    assert!(wrong.contains("aria-invalid=\"true\""));
    let (status, _, _, unknown) = sign_in(&app, "nobody", "not-the-password", "/staff").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(unknown.contains("用户名或密码不正确"));
    // Signed in: back where the reader was going; never to another site.
    let password = quanze_service::demo::DEMO_PASSWORD;
    let (status, to, cookie, _) = sign_in(&app, "clerk", password, "//evil.example/x").await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/staff"), "no open redirect");
    let cookie = cookie.expect("a session cookie");
    // The database keeps the SM3 of the session id, never the id.
    let id = cookie.trim_start_matches("quanze_session=");
    assert!(app.service.web_session(id).await.unwrap().is_none());
    let key = quanze_service::auth::token_hash(id);
    assert!(app.service.web_session(&key).await.unwrap().is_some());
    // Each request moves the idle expiry on: the row's and the cookie's.
    let before = app.service.web_session(&key).await.unwrap().unwrap().expires_at;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let res = client().get(format!("{}/staff", app.base)).header(COOKIE, &cookie).send().await;
    let res = res.unwrap();
    let again = res.headers().get_all(SET_COOKIE).iter().any(|c| {
        c.to_str().unwrap().starts_with("quanze_session=")
            && c.to_str().unwrap().contains("Max-Age")
    });
    assert!(again, "the cookie is sent again with its new expiry");
    let after = app.service.web_session(&key).await.unwrap().unwrap().expires_at;
    assert!(after > before, "{before} → {after}");
    // The desk, a unit's inbox by urgency, a case.
    let (status, _, desk) = get(&app, "/staff", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{desk}");
    assert!(desk.contains("clerk") && desk.contains("经办人"), "{desk}");
    let inbox = desk.split("href=\"/staff/units/").nth(1).expect("a unit's cases").split('"');
    let inbox = format!("/staff/units/{}", inbox.clone().next().unwrap());
    let (status, _, cases) = get(&app, &inbox, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    assert!(cases.contains("已超期（红牌）") && cases.contains("临近期限（黄牌）"));
    if let Some(receipt) = cases.split("href=\"/staff/cases/").nth(1) {
        let receipt = receipt.split('"').next().unwrap();
        let (status, _, case) = get(&app, &format!("/staff/cases/{receipt}"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{case}");
        assert!(case.contains("办理过程") && case.contains(receipt));
    }
    // Cases are for the staff who handle them: the staffing office's editor is refused.
    let (_, _, editor, _) = sign_in(&app, "editor", password, "/staff").await;
    let (status, _, refused) = get(&app, &inbox, editor.as_deref()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused.contains("lang=\"zh-CN\""), "a page in Chinese");
    // Signing out ends the session: the cookie opens nothing any more.
    let res = client()
        .post(format!("{}/staff/logout", app.base))
        .header(COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.service.web_session(&key).await.unwrap().is_none(), "the row is gone");
    let (status, to, _) = get(&app, "/staff", Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/staff/login"), "{to}");
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    let app = spawn_app(true).await;
    let res = client()
        .post(format!("{}/staff/login", app.base))
        .header("origin", "http://evil.example")
        .form(&[("username", "clerk"), ("password", quanze_service::demo::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get(SET_COOKIE).is_none(), "no session");
    assert!(res.text().await.unwrap().contains("其他网站"));
}

#[tokio::test]
async fn a_member_of_staff_changes_their_password_and_every_sign_in_ends() {
    let app = spawn_app(true).await;
    let password = quanze_service::demo::DEMO_PASSWORD;
    let (_, _, cookie, _) = sign_in(&app, "clerk", password, "/staff").await;
    let cookie = cookie.expect("signed in");
    let (_, _, other, _) = sign_in(&app, "clerk", password, "/staff").await;
    let other = other.expect("a second session");
    let (status, _, page) = get(&app, "/staff/password", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("至少3类") && page.contains("不得包含用户名"), "the rule is stated");
    let change = |new: &'static str, again: &'static str| {
        let cookie = cookie.clone();
        let base = app.base.clone();
        async move {
            let res = client()
                .post(format!("{base}/staff/password"))
                .header(COOKIE, cookie)
                .header("sec-fetch-site", "same-origin")
                .form(&[
                    ("current_password", password),
                    ("new_password", new),
                    ("confirm_password", again),
                ])
                .send()
                .await
                .unwrap();
            let to = res.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
            (res.status(), to.unwrap_or_default(), res.text().await.unwrap())
        }
    };
    let (status, _, page) = change("Kx7#mq2Lp9Zt", "Kx7#mq2Lp9Zu").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("两次输入的新口令不一致"), "{page}");
    let (status, _, page) = change("Clerk#2026abc", "Clerk#2026abc").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("不得包含用户名"), "{page}");
    let (status, to, _) = change("Kx7#mq2Lp9Zt", "Kx7#mq2Lp9Zt").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.contains("changed=1"), "{to}");
    let (_, _, page) = get(&app, &to, None).await;
    assert!(page.contains("口令已修改"), "{page}");
    // Both sessions have ended; the new password signs in, the old does not.
    for c in [&cookie, &other] {
        let (status, to, _) = get(&app, "/staff", Some(c)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "ended");
        assert!(to.starts_with("/staff/login"), "{to}");
    }
    let (status, _, _, _) = sign_in(&app, "clerk", password, "/staff").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, cookie, _) = sign_in(&app, "clerk", "Kx7#mq2Lp9Zt", "/staff").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(cookie.is_some());
}

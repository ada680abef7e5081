//! The law registry on the staff's pages: the laws paged, a law with the items in force that
//! cite it, and its repeal recorded (a malformed date refused beside the form, the text kept;
//! not by a clerk).

use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::helpers::staff::{get, post, sign_in};

#[tokio::test]
async fn a_law_shows_the_items_citing_it_and_its_repeal_is_recorded() {
    let app = spawn_app(true).await;
    let editor = sign_in(&app, "editor").await;
    let (status, index) = get(&app, "/staff/laws", &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("法规库"));
    // A law that items in force cite.
    let laws = app.service.law_page(0, 1_000).await.unwrap();
    let user = app.service.sign_in("editor", quanze_service::demo::DEMO_PASSWORD).await.unwrap();
    let mut cited = None;
    for law in &laws.items {
        let page = app.service.law_impact_page(&user, law.id, None).await.unwrap();
        if !page.items.is_empty() {
            cited = Some((law.id, page.items[0].name.clone()));
            break;
        }
    }
    let (law, item) = cited.expect("a cited law in the demo county");
    let path = format!("/staff/laws/{law}");
    let (status, page) = get(&app, &path, &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&item) && page.contains("设定依据"), "the impact report");
    let end = format!("{path}/end");
    let (status, _, refused) =
        post(&app, &end, &editor, &[("ending", "repealed"), ("on", "2027-13-01"), ("by", "")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("id=\"end-error\"") && refused.contains("value=\"2027-13-01\""));
    let clerk = sign_in(&app, "clerk").await;
    let (status, _, _) =
        post(&app, &end, &clerk, &[("ending", "repealed"), ("on", "2027-01-01"), ("by", "")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "keeping the registry is not a clerk's");
    let (status, to, _) =
        post(&app, &end, &editor, &[("ending", "repealed"), ("on", "2027-01-01"), ("by", "")])
            .await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, format!("{path}?ended=1").as_str()));
    let (_, page) = get(&app, &to, &editor).await;
    assert!(page.contains("2027-01-01 起失效") && page.contains(&item));
}

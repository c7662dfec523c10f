//! gRPC-Web on the gateway's port: what a browser page sends, over plain HTTP/1.1, and which
//! pages the browser lets read the answers (CORS: only the origins in `gateway.cors_origins`).

use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vipcare_proto::gateway::v1::{
    GetCustomerViewRequest, GetCustomerViewResponse, get_customer_view_request,
};
use vipcare_proto::profile::v1::{GetCustomerRequest, GetCustomerResponse, get_customer_request};
use vipcare_testkit::TestEnv;

use vipcare_proto::survey::v1::{GetInvitationRequest, InviteToSurveyRequest};

use crate::support::{AGENT, Suite, WEB_ORIGIN};

/// What came back: the response head, the messages and the trailer block.
struct WebAnswer {
    head: String,
    messages: Vec<Vec<u8>>,
    trailers: String,
}

/// POSTs one gRPC-Web message and reads the whole answer (the connection is closed after it).
async fn post(suite: &Suite, path: &str, key: &str, message: &impl Message) -> WebAnswer {
    let authorization = format!("Authorization: Bearer {key}\r\n");
    post_as(suite, path, &authorization, message).await
}

/// [`post`] with `authorization` as the whole header line, or nothing (a page with no key).
async fn post_as(
    suite: &Suite,
    path: &str,
    authorization: &str,
    message: &impl Message,
) -> WebAnswer {
    let body = message.encode_to_vec();
    let mut frame = vec![0_u8];
    frame.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
    frame.extend_from_slice(&body);
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/grpc-web+proto\r\n\
         X-Grpc-Web: 1\r\nOrigin: {WEB_ORIGIN}\r\n{authorization}\
         Content-Length: {len}\r\nConnection: close\r\n\r\n",
        addr = suite.gateway,
        len = frame.len()
    );
    let mut stream = TcpStream::connect(suite.gateway).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&frame).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    let (mut messages, mut trailers) = (Vec::new(), String::new());
    let mut rest = body.as_slice();
    while rest.len() >= 5 {
        let len = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
        let payload = rest[5..5 + len].to_vec();
        if rest[0] & 0x80 == 0 {
            messages.push(payload);
        } else {
            trailers = String::from_utf8_lossy(&payload).to_ascii_lowercase();
        }
        rest = &rest[5 + len..];
    }
    WebAnswer {
        head,
        messages,
        trailers,
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size_text = std::str::from_utf8(&body[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        body = &body[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[tokio::test]
async fn a_browser_gets_a_customer_view_over_grpc_web() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;

        let request = GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::Msisdn(
                "13800138000".into(),
            )),
        };
        let path = "/vipcare.gateway.v1.ChannelService/GetCustomerView";
        let answer = post(&suite, path, AGENT, &request).await;
        assert!(
            answer.head.starts_with("http/1.1 200"),
            "[{label}] {}",
            answer.head
        );
        assert!(
            answer.head.contains("application/grpc-web"),
            "[{label}] {}",
            answer.head
        );
        assert!(
            answer
                .head
                .contains(&format!("access-control-allow-origin: {WEB_ORIGIN}")),
            "[{label}] CORS: {}",
            answer.head
        );
        assert!(
            answer.trailers.contains("grpc-status:0"),
            "[{label}] {}",
            answer.trailers
        );
        let view = GetCustomerViewResponse::decode(answer.messages[0].as_slice())
            .unwrap()
            .view
            .unwrap();
        let shown = view.customer.unwrap();
        assert_eq!(shown.customer_id, customer.customer_id, "[{label}]");
        assert_eq!(shown.name, "张**", "[{label}]");

        // Routed calls work from a browser too.
        let request = GetCustomerRequest {
            lookup: Some(get_customer_request::Lookup::CustomerId(
                customer.customer_id.clone(),
            )),
        };
        let answer = post(
            &suite,
            "/vipcare.profile.v1.ProfileService/GetCustomer",
            AGENT,
            &request,
        )
        .await;
        assert!(
            answer.trailers.contains("grpc-status:0"),
            "[{label}] {}",
            answer.trailers
        );
        let routed = GetCustomerResponse::decode(answer.messages[0].as_slice()).unwrap();
        assert_eq!(routed.customer.unwrap().msisdn, "138****8000", "[{label}]");

        // And rejections arrive as gRPC statuses the page can read.
        let answer = post(
            &suite,
            path,
            "wrong-key",
            &GetCustomerViewRequest::default(),
        )
        .await;
        let unauthenticated =
            answer.head.contains("grpc-status: 16") || answer.trailers.contains("grpc-status:16");
        assert!(
            unauthenticated,
            "[{label}] {} {}",
            answer.head, answer.trailers
        );
    }
}

/// The head of the answer to a browser's CORS preflight for a gRPC-Web call from `origin`.
async fn preflight(suite: &Suite, origin: &str) -> String {
    let head = format!(
        "OPTIONS /vipcare.gateway.v1.ChannelService/GetCustomerView HTTP/1.1\r\n\
         Host: {addr}\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: authorization,content-type,x-grpc-web\r\n\
         Connection: close\r\n\r\n",
        addr = suite.gateway
    );
    let mut stream = TcpStream::connect(suite.gateway).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn only_the_configured_origin_passes_the_cors_preflight() {
    let env = TestEnv::embedded().await;
    let suite = Suite::start(&env).await;

    let allowed = preflight(&suite, WEB_ORIGIN).await;
    assert!(allowed.starts_with("http/1.1 200"), "{allowed}");
    assert!(
        allowed.contains(&format!("access-control-allow-origin: {WEB_ORIGIN}")),
        "{allowed}"
    );
    assert!(
        allowed.contains("authorization"),
        "the page may send its key: {allowed}"
    );

    for origin in [
        "https://phish.example.com",
        "https://hall.example.cn.evil.io",
    ] {
        let refused = preflight(&suite, origin).await;
        assert!(
            !refused.contains("access-control-allow-origin"),
            "{origin} must get no CORS grant: {refused}"
        );
    }
}

#[tokio::test]
async fn a_customer_s_page_opens_its_invitation_over_grpc_web_without_a_key() {
    let env = TestEnv::embedded().await;
    let suite = Suite::start(&env).await;
    let path = "/vipcare.survey.v1.SurveyService/GetInvitation";
    let unknown = GetInvitationRequest {
        invitation_token: "0123456789abcdef0123456789abcdef".into(),
    };
    let answer = post_as(&suite, path, "", &unknown).await;
    assert!(answer.head.starts_with("http/1.1 200"), "{}", answer.head);
    assert!(
        answer
            .head
            .contains(&format!("access-control-allow-origin: {WEB_ORIGIN}")),
        "CORS: {}",
        answer.head
    );
    // Past the edge: only the survey service itself can say it never issued this token.
    let status = format!("{} {}", answer.head, answer.trailers);
    assert!(
        status.contains("grpc-status: 5") || status.contains("grpc-status:5"),
        "{status}"
    );

    // Inviting is no customer's call: without a key the gateway refuses it.
    let path = "/vipcare.survey.v1.SurveyService/InviteToSurvey";
    let answer = post_as(&suite, path, "", &InviteToSurveyRequest::default()).await;
    let status = format!("{} {}", answer.head, answer.trailers);
    assert!(
        status.contains("grpc-status: 16") || status.contains("grpc-status:16"),
        "{status}"
    );
}

//! A gRPC-Web call the way a browser page makes it: one HTTP/1.1 POST with a length-prefixed
//! protobuf body, answered by data frames and a trailer frame in the body. Written by hand over
//! a TCP stream so the test depends on nothing but the wire format.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The page's origin, for the CORS answer.
pub const ORIGIN: &str = "https://hall.example.com";

/// What came back from one gRPC-Web call.
#[derive(Debug)]
pub struct GrpcWebReply {
    pub http_status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    /// The payloads of the data frames.
    pub messages: Vec<Vec<u8>>,
    /// From the trailer frame; lower-case names.
    pub trailers: Vec<(String, String)>,
}

impl GrpcWebReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    /// `grpc-status` from the trailer frame, or from the headers of a trailers-only reply.
    pub fn grpc_status(&self) -> Option<&str> {
        find(&self.trailers, "grpc-status").or_else(|| self.header("grpc-status"))
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// POSTs `message` to `path` (e.g. `/vipcare.gateway.v1.ChannelService/LookupCaller`) as
/// `application/grpc-web+proto`, with `Authorization: Bearer <api_key>` when given.
pub async fn call(
    gateway: SocketAddr,
    path: &str,
    api_key: Option<&str>,
    message: &impl prost::Message,
) -> GrpcWebReply {
    let payload = message.encode_to_vec();
    let mut body = Vec::with_capacity(payload.len() + 5);
    body.push(0); // data frame, uncompressed
    body.extend_from_slice(
        &u32::try_from(payload.len())
            .expect("small message")
            .to_be_bytes(),
    );
    body.extend_from_slice(&payload);
    let authorization = api_key
        .map(|key| format!("Authorization: Bearer {key}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {gateway}\r\nContent-Type: application/grpc-web+proto\r\n\
         Accept: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\nX-User-Agent: grpc-web-javascript/0.1\r\n\
         Origin: {ORIGIN}\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let exchange = async {
        let mut stream = TcpStream::connect(gateway).await?;
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(15), exchange)
        .await
        .expect("the gateway answered the gRPC-Web call in time")
        .expect("gRPC-Web exchange over HTTP/1.1");
    parse(&response)
}

fn parse(response: &[u8]) -> GrpcWebReply {
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response head");
    let head = String::from_utf8_lossy(&response[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let http_status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP status line: {status_line:?}"));
    let headers: Vec<(String, String)> = lines.filter_map(header_pair).collect();
    let raw = &response[split + 4..];
    let body = if find(&headers, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(raw)
    } else {
        raw.to_vec()
    };
    let (messages, trailers) = frames(&body);
    GrpcWebReply {
        http_status,
        headers,
        messages,
        trailers,
    }
}

fn header_pair(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
}

/// HTTP/1.1 chunked transfer coding: `<hex size>\r\n<data>\r\n` until a zero size.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).expect("a hexadecimal chunk size");
        if size == 0 {
            return body;
        }
        let start = line_end + 2;
        body.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
}

/// gRPC-Web frames: flag byte (0x80 marks the trailers), 4-byte big-endian length, payload.
fn frames(mut body: &[u8]) -> (Vec<Vec<u8>>, Vec<(String, String)>) {
    let (mut messages, mut trailers) = (Vec::new(), Vec::new());
    while body.len() >= 5 {
        let flag = body[0];
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let payload = &body[5..5 + len];
        if flag & 0x80 != 0 {
            let text = String::from_utf8_lossy(payload);
            trailers.extend(text.split("\r\n").filter_map(header_pair));
        } else {
            messages.push(payload.to_vec());
        }
        body = &body[5 + len..];
    }
    assert!(body.is_empty(), "a truncated gRPC-Web frame");
    (messages, trailers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_chunked_reply_with_a_message_and_trailers() {
        let mut frames = vec![0, 0, 0, 0, 2, 0x08, 0x01];
        let trailer = b"grpc-status:0\r\ngrpc-message:\r\n";
        frames.push(0x80);
        frames.extend_from_slice(&(trailer.len() as u32).to_be_bytes());
        frames.extend_from_slice(trailer);
        let (a, b) = frames.split_at(4);
        let mut response = b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\n\
                             Transfer-Encoding: chunked\r\n\r\n"
            .to_vec();
        for chunk in [a, b] {
            response.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            response.extend_from_slice(chunk);
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(b"0\r\n\r\n");
        let reply = parse(&response);
        assert_eq!(reply.http_status, 200);
        assert_eq!(
            reply.header("content-type"),
            Some("application/grpc-web+proto")
        );
        assert_eq!(reply.messages, vec![vec![0x08, 0x01]]);
        assert_eq!(reply.grpc_status(), Some("0"));
    }
}

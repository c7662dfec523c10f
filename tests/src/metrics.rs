//! What Prometheus reads off a process: its `/metrics` page over plain HTTP/1.1, and the sum of
//! the samples of one metric whose labels include the ones asked for.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET /metrics` at `addr`, as Prometheus scrapes it: the status line and the body.
pub async fn scrape(addr: SocketAddr) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the metrics endpoint accepts");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: vipcare\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

/// The sum of the samples of `metric` whose labels include every one of `labels` (written
/// `name="value"`); `None` when there is no such series.
pub fn sample(body: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    let series: Vec<f64> = body
        .lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")) || l.starts_with(&format!("{metric} ")))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .collect();
    (!series.is_empty()).then(|| series.iter().sum())
}

/// Where a process serves `/metrics`, from the `metrics_addr=` it logs.
pub fn metrics_addr(log: &str) -> Option<SocketAddr> {
    log.lines().find_map(|line| {
        let (_, rest) = line.split_once("metrics_addr=")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

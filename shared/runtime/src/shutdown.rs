//! Graceful shutdown: binaries stop accepting work on SIGINT or SIGTERM (Kubernetes sends
//! SIGTERM) and let in-flight requests finish.

use std::future::Future;

/// Resolves when the process is asked to stop. The signal handlers are installed when this is
/// called, not when the future is first polled: a binary calls it before it serves, so a
/// SIGTERM arriving between "serving" in health and the server's first poll of the future is a
/// graceful stop too (it used to meet the default disposition and kill the process).
pub fn signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let listen = |kind: tokio::signal::unix::SignalKind, name: &'static str| {
        let installed = tokio::signal::unix::signal(kind);
        async move {
            match installed {
                Ok(mut sig) => {
                    sig.recv().await;
                }
                Err(err) => {
                    tracing::warn!(%err, "cannot listen for {name}");
                    std::future::pending::<()>().await;
                }
            }
        }
    };
    #[cfg(unix)]
    let (interrupt, term) = (
        listen(tokio::signal::unix::SignalKind::interrupt(), "SIGINT"),
        listen(tokio::signal::unix::SignalKind::terminate(), "SIGTERM"),
    );
    #[cfg(not(unix))]
    let (interrupt, term) = (
        async {
            if let Err(err) = tokio::signal::ctrl_c().await {
                tracing::warn!(%err, "cannot listen for ctrl-c");
                std::future::pending::<()>().await;
            }
        },
        std::future::pending::<()>(),
    );
    async move {
        tokio::select! {
            () = interrupt => {}
            () = term => {}
        }
        tracing::info!("shutdown requested");
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    /// Under the default disposition the SIGTERM would end this test binary: the handler must
    /// be in place as soon as `signal` returns, before anything polls it.
    #[tokio::test]
    async fn a_sigterm_before_the_first_poll_is_a_graceful_stop() {
        let stop = super::signal();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        tokio::time::timeout(Duration::from_secs(10), stop)
            .await
            .expect("the stop is seen");
    }
}

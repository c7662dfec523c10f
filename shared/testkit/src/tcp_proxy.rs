//! A TCP forwarder to put between a service and a dependency it shares with other work, so a test
//! can make that dependency unreachable and bring it back without stopping the real server:
//! `cut()` closes every forwarded connection and closes new ones as soon as they are accepted,
//! `stall()` keeps every connection open but passes no more bytes (a dependency that hangs),
//! `restore()` forwards again.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Forwards connections made to `addr()` to a target address until dropped.
#[derive(Debug)]
pub struct TcpProxy {
    addr: SocketAddr,
    target: SocketAddr,
    state: Arc<Mutex<State>>,
    stalled: watch::Sender<bool>,
    acceptor: JoinHandle<()>,
}

#[derive(Debug)]
struct State {
    open: bool,
    /// One task per forwarded connection; aborting it drops (closes) both of its sockets.
    connections: Vec<JoinHandle<()>>,
}

impl TcpProxy {
    /// Listens on 127.0.0.1 on a port the OS picks and forwards every connection to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<TcpProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            open: true,
            connections: Vec::new(),
        }));
        let (stalled, _) = watch::channel(false);
        let acceptor = tokio::spawn(accept(
            listener,
            target,
            Arc::clone(&state),
            stalled.clone(),
        ));
        Ok(TcpProxy {
            addr,
            target,
            state,
            stalled,
            acceptor,
        })
    }

    /// Where clients connect instead of the target.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address connections are forwarded to.
    pub fn target(&self) -> SocketAddr {
        self.target
    }

    /// Closes every forwarded connection and, until `restore`, every new one on accept.
    /// Returns once the closed sockets are gone, so the next call a test makes cannot slip
    /// through a connection that was about to be closed.
    pub async fn cut(&self) {
        let connections = {
            let mut state = self.state.lock().expect("proxy state");
            state.open = false;
            std::mem::take(&mut state.connections)
        };
        for connection in &connections {
            connection.abort();
        }
        for connection in connections {
            // Cancelled (or already finished): either way its sockets have been dropped.
            let _ = connection.await;
        }
    }

    /// Passes no more bytes either way, on open connections and new ones alike, until
    /// `restore`: calls in flight and new ones wait for an answer that does not come.
    pub fn stall(&self) {
        self.stalled.send_replace(true);
    }

    /// Forwards new connections again, and bytes held by a stall.
    pub fn restore(&self) {
        self.state.lock().expect("proxy state").open = true;
        self.stalled.send_replace(false);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.acceptor.abort();
        if let Ok(mut state) = self.state.lock() {
            for connection in state.connections.drain(..) {
                connection.abort();
            }
        }
    }
}

async fn accept(
    listener: TcpListener,
    target: SocketAddr,
    state: Arc<Mutex<State>>,
    stalled: watch::Sender<bool>,
) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            // Out of file descriptors and the like: back off instead of spinning, then go on.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        // Checked and registered under one lock, so `cut` either sees this connection or the
        // connection sees the cut: none escapes being closed.
        let mut state = state.lock().expect("proxy state");
        if !state.open {
            drop(inbound);
            continue;
        }
        state.connections.retain(|c| !c.is_finished());
        state
            .connections
            .push(tokio::spawn(forward(inbound, target, stalled.clone())));
    }
}

async fn forward(inbound: TcpStream, target: SocketAddr, stalled: watch::Sender<bool>) {
    // A target that refuses shows up to the client as a connection closed at once.
    let Ok(outbound) = TcpStream::connect(target).await else {
        return;
    };
    let _ = inbound.set_nodelay(true);
    let _ = outbound.set_nodelay(true);
    let (in_read, in_write) = inbound.into_split();
    let (out_read, out_write) = outbound.into_split();
    tokio::join!(
        pump(in_read, out_write, stalled.subscribe()),
        pump(out_read, in_write, stalled.subscribe()),
    );
}

/// Copies one direction; bytes read during a stall are held until it ends.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut stalled: watch::Receiver<bool>) {
    let mut buf = vec![0; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if stalled.wait_for(|s| !*s).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that echoes every byte back, on every connection.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut read, mut write) = stream.split();
                    let _ = tokio::io::copy(&mut read, &mut write).await;
                });
            }
        });
        addr
    }

    async fn round_trip(stream: &mut TcpStream, message: &[u8]) -> std::io::Result<Vec<u8>> {
        stream.write_all(message).await?;
        let mut echoed = vec![0; message.len()];
        stream.read_exact(&mut echoed).await?;
        Ok(echoed)
    }

    /// Reads until the proxy's side closes; a bound turns a hang into a failure, not a wait.
    async fn closed_by_peer(stream: &mut TcpStream) -> bool {
        let mut buf = [0; 16];
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
        matches!(read, Ok(Ok(0)) | Ok(Err(_)))
    }

    #[tokio::test]
    async fn forwards_both_ways() {
        let proxy = TcpProxy::start(echo_server().await).await.unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(round_trip(&mut stream, b"ping").await.unwrap(), b"ping");
        assert_eq!(round_trip(&mut stream, b"again").await.unwrap(), b"again");
    }

    #[tokio::test]
    async fn cut_closes_open_connections_and_refuses_new_ones() {
        let proxy = TcpProxy::start(echo_server().await).await.unwrap();
        let mut open = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(round_trip(&mut open, b"ping").await.unwrap(), b"ping");

        proxy.cut().await;
        assert!(closed_by_peer(&mut open).await, "open connection closed");
        // The listener still accepts (clients see no "connection refused" back-off), but hangs up.
        let mut late = TcpStream::connect(proxy.addr()).await.unwrap();
        assert!(closed_by_peer(&mut late).await, "new connection closed");
    }

    #[tokio::test]
    async fn restore_forwards_new_connections_again() {
        let proxy = TcpProxy::start(echo_server().await).await.unwrap();
        proxy.cut().await;
        proxy.restore();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(round_trip(&mut stream, b"back").await.unwrap(), b"back");
    }

    #[tokio::test]
    async fn a_stall_holds_the_bytes_until_restored() {
        let proxy = TcpProxy::start(echo_server().await).await.unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(round_trip(&mut stream, b"ping").await.unwrap(), b"ping");

        proxy.stall();
        stream.write_all(b"held").await.unwrap();
        let mut echoed = [0; 4];
        let waited =
            tokio::time::timeout(Duration::from_millis(200), stream.read_exact(&mut echoed)).await;
        assert!(waited.is_err(), "nothing comes back during a stall");

        proxy.restore();
        stream.read_exact(&mut echoed).await.unwrap();
        assert_eq!(
            &echoed, b"held",
            "the held bytes arrive, the connection was kept"
        );
    }

    #[tokio::test]
    async fn unreachable_target_closes_the_client() {
        // A port that was free a moment ago: nothing listens there.
        let free = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = free.local_addr().unwrap();
        drop(free);
        let proxy = TcpProxy::start(target).await.unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        assert!(closed_by_peer(&mut stream).await);
    }
}

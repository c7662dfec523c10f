//! A Kubernetes Service for tests: one address in front of a service's replicas that hands each
//! new TCP connection to the next replica in turn (as kube-proxy spreads connections over a
//! Service's pods), skipping a replica that refuses (killed, not yet removed from the
//! endpoints). gRPC holds its HTTP/2 connections open, so a client stays with the replica it
//! first reached until that connection breaks, as it would in a cluster.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Spreads connections over its backends until dropped.
#[derive(Debug)]
pub struct Balancer {
    addr: SocketAddr,
    backends: Arc<Mutex<Vec<SocketAddr>>>,
    acceptor: JoinHandle<()>,
}

impl Balancer {
    /// Listens on 127.0.0.1 on a port the OS picks, with no backend yet (connections made
    /// before [`Balancer::add`] are closed).
    pub async fn start() -> std::io::Result<Balancer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let backends = Arc::new(Mutex::new(Vec::new()));
        let acceptor = tokio::spawn(accept(listener, backends.clone()));
        Ok(Balancer {
            addr,
            backends,
            acceptor,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A replica that is ready: new connections may go to it.
    pub fn add(&self, backend: SocketAddr) {
        self.backends.lock().expect("backends lock").push(backend);
    }

    /// A replica that is going away: no new connection goes to it (those it holds stay until
    /// it closes them), as Kubernetes takes a terminating pod out of the endpoints.
    pub fn remove(&self, backend: SocketAddr) {
        self.backends
            .lock()
            .expect("backends lock")
            .retain(|b| *b != backend);
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

async fn accept(listener: TcpListener, backends: Arc<Mutex<Vec<SocketAddr>>>) {
    let next = Arc::new(AtomicUsize::new(0));
    while let Ok((mut inbound, _)) = listener.accept().await {
        let (backends, next) = (backends.clone(), next.clone());
        tokio::spawn(async move {
            let Some(mut outbound) = connect_next(&backends, &next).await else {
                return;
            };
            let _ = inbound.set_nodelay(true);
            let _ = outbound.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
        });
    }
}

/// The next backend in turn that accepts a connection; `None` when none does.
async fn connect_next(backends: &Mutex<Vec<SocketAddr>>, next: &AtomicUsize) -> Option<TcpStream> {
    let all = backends.lock().expect("backends lock").clone();
    for _ in 0..all.len() {
        let turn = next.fetch_add(1, Ordering::Relaxed) % all.len();
        if let Ok(stream) = TcpStream::connect(all[turn]).await {
            return Some(stream);
        }
    }
    None
}

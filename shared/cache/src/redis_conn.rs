//! One connection to Redis, to a single server or a Redis Cluster: the store sends the same
//! commands through either. A single server is reached through a `ConnectionManager` (one
//! multiplexed connection, reconnected when lost); a cluster through redis-rs's cluster
//! connection, which learns the slot map from whichever listed node answers, sends each
//! command to the node owning its key's slot, and follows the map when slots move or a node
//! fails over. Both connect lazily, so a process starts while Redis is away.

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::CacheError;

/// Cheap to clone: every clone shares the connection.
#[derive(Clone)]
pub(crate) enum RedisConn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl RedisConn {
    /// `urls`: one server, or the nodes of a cluster (any of them is enough to find the rest;
    /// listing several lets the process start while one is down).
    pub(crate) fn open(
        urls: &[&str],
        cluster: bool,
        timeout: Duration,
    ) -> Result<Self, CacheError> {
        let invalid = |e: redis::RedisError| CacheError::InvalidUrl(e.to_string());
        let connect = timeout.max(Duration::from_millis(250));
        match urls {
            [url] if !cluster => {
                let client = redis::Client::open(*url).map_err(invalid)?;
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(connect))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(500));
                let conn =
                    ConnectionManager::new_lazy_with_config(client, config).map_err(invalid)?;
                Ok(RedisConn::Single(conn))
            }
            nodes => {
                let client = ClusterClient::builder(nodes.iter().copied())
                    .connection_timeout(connect)
                    .response_timeout(timeout)
                    // One retry covers a MOVED after a failover; the store's timeout bounds it.
                    .retries(1)
                    .build()
                    .map_err(invalid)?;
                let config = ClusterConfig::new()
                    .set_connection_timeout(connect)
                    .set_response_timeout(timeout);
                Ok(RedisConn::Cluster(
                    client.get_pending_async_connection_with_config(config),
                ))
            }
        }
    }

    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self, RedisConn::Cluster(_))
    }
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Single(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Single(c) => c.get_db(),
            RedisConn::Cluster(c) => c.get_db(),
        }
    }
}

//! A store of the bench's own for one run: a PostgreSQL database created for it and a Redis key
//! prefix nobody else uses, both removed afterwards, so runs never see each other's customers
//! (or duplicate msisdns) and nothing piles up on the servers (generation keys live a day).

use rand::RngCore;
use redis::AsyncCommands;
use vipcare_storage::sea_orm::{self, ConnectionTrait, DbBackend, Statement};

pub(crate) struct BenchDatabase {
    admin_url: String,
    name: String,
    /// Where the suite connects.
    pub url: String,
}

impl BenchDatabase {
    /// Creates `vipcare_bench_<random>` on the server of `admin_url`.
    pub async fn create(admin_url: &str) -> anyhow::Result<BenchDatabase> {
        let mut suffix = [0_u8; 6];
        rand::rng().fill_bytes(&mut suffix);
        let name = format!("vipcare_bench_{}", hex::encode(suffix));
        let url = with_database(admin_url, &name)?;
        execute(admin_url, &format!("CREATE DATABASE {name}")).await?;
        Ok(BenchDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// Drops the database, cutting any connection the stopped suite left behind.
    pub async fn remove(self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(err) = execute(&self.admin_url, &sql).await {
            eprintln!("vipcare-bench: could not drop {}: {err:#}", self.name);
        }
    }
}

/// `url` naming database `name` instead, its parameters (`?sslmode=…`, `?host=/socket/dir`) kept.
fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, params) = match url.split_once('?') {
        Some((base, params)) => (base, format!("?{params}")),
        None => (url, String::new()),
    };
    match base.split_once("://") {
        Some((scheme, rest)) if rest.contains('/') => {
            let server = &rest[..rest.rfind('/').unwrap_or(rest.len())];
            Ok(format!("{scheme}://{server}/{name}{params}"))
        }
        _ => anyhow::bail!("VIPCARE__DATABASE__URL {url} names no database"),
    }
}

async fn execute(url: &str, sql: &str) -> anyhow::Result<()> {
    let admin = sea_orm::Database::connect(url).await?;
    let result = admin
        .execute_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await;
    let _ = admin.close().await;
    result?;
    Ok(())
}

/// The run's Redis keys: everything under its own prefix.
pub(crate) struct BenchKeys {
    pub url: String,
    pub prefix: String,
}

impl BenchKeys {
    /// Unlinks every key under the prefix.
    pub async fn remove(self) {
        if let Err(err) = self.unlink_all().await {
            eprintln!(
                "vipcare-bench: could not remove Redis keys {}*: {err:#}",
                self.prefix
            );
        }
    }

    async fn unlink_all(&self) -> anyhow::Result<()> {
        let client = redis::Client::open(self.url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        let mut keys = Vec::new();
        {
            let mut scan = conn
                .scan_match::<_, String>(format!("{}*", self.prefix))
                .await?;
            while let Some(key) = scan.next_item().await {
                keys.push(key?);
            }
        }
        for batch in keys.chunks(500) {
            let _: i64 = redis::cmd("UNLINK")
                .arg(batch)
                .query_async(&mut conn)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_bench_database_keeps_the_url_parameters() {
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432/test", "b1").unwrap(),
            "postgres://root@127.0.0.1:5432/b1"
        );
        assert_eq!(
            with_database(
                "postgres://root@localhost/test?host=/var/run/postgresql",
                "b1"
            )
            .unwrap(),
            "postgres://root@localhost/b1?host=/var/run/postgresql"
        );
        assert!(with_database("postgres://root@localhost", "b1").is_err());
    }
}

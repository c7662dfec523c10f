use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use vipcare_testkit::redis_cluster::RedisCluster;

use super::*;

const TTL: Duration = Duration::from_secs(30);

/// Every store this run can test: in-process always, Redis when the test variables name one,
/// and a three-node Redis Cluster of the test's own when the machine has `redis-server` (held
/// in the answer, so it lives as long as the test).
async fn caches() -> Vec<(Cache, &'static str, Option<RedisCluster>)> {
    let mut all = vec![(Cache::in_process(1000), "in-process", None)];
    if let Ok(url) = std::env::var("VIPCARE_TEST_REDIS_URL") {
        let settings = CacheSettings {
            redis_url: Some(url),
            key_prefix: format!(
                "test-cache-{}:",
                std::process::id() as u128 * 1_000_000 + now_ms_for_prefix()
            ),
            ..CacheSettings::in_process()
        };
        all.push((Cache::connect(&settings).await.unwrap(), "redis", None));
    }
    if let Some(cluster) = RedisCluster::start().await {
        let settings = CacheSettings {
            redis_url: Some(cluster.url()),
            ..CacheSettings::in_process()
        };
        let cache = Cache::connect(&settings).await.unwrap();
        all.push((cache, "redis cluster", Some(cluster)));
    }
    all
}

fn now_ms_for_prefix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000
}

async fn load_counted(cache: &Cache, key: &str, value: &str, loads: &AtomicUsize) -> Vec<u8> {
    load_under(cache, key, "customer:1", value, loads).await
}

async fn load_under(
    cache: &Cache,
    key: &str,
    tag: &str,
    value: &str,
    loads: &AtomicUsize,
) -> Vec<u8> {
    cache
        .get_or_load(key, tag, TTL, || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(value.as_bytes().to_vec())
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_second_read_is_served_from_the_cache() {
    for (cache, label, _cluster) in caches().await {
        let loads = AtomicUsize::new(0);
        assert_eq!(load_counted(&cache, "view:1", "v1", &loads).await, b"v1");
        assert_eq!(
            load_counted(&cache, "view:1", "v2", &loads).await,
            b"v1",
            "{label}"
        );
        assert_eq!(loads.load(Ordering::SeqCst), 1, "{label}");
    }
}

#[tokio::test]
async fn invalidating_the_tag_makes_the_next_read_load_again() {
    for (cache, label, _cluster) in caches().await {
        let loads = AtomicUsize::new(0);
        load_counted(&cache, "view:1", "old", &loads).await;
        cache.invalidate("customer:1").await;
        assert_eq!(
            load_counted(&cache, "view:1", "new", &loads).await,
            b"new",
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_bump_that_reached_the_store_says_so() {
    for (cache, label, _cluster) in caches().await {
        assert_eq!(
            cache.invalidate("customer:1").await,
            Invalidated::Written,
            "{label}"
        );
        let tags = vec!["customer:1".to_owned(), "customer:2".to_owned()];
        assert_eq!(cache.invalidate_many(&tags).await, Invalidated::Written);
        assert!(cache.invalidator()(tags).await, "{label}");
    }
}

#[tokio::test]
async fn invalidating_many_tags_at_once_reaches_each_and_only_them() {
    for (cache, label, _cluster) in caches().await {
        let loads = AtomicUsize::new(0);
        for i in 1..=3 {
            let (key, tag) = (format!("view:{i}"), format!("customer:{i}"));
            load_under(&cache, &key, &tag, "old", &loads).await;
        }
        cache
            .invalidate_many(&["customer:1".to_owned(), "customer:3".to_owned()])
            .await;
        let again = |i: u32| {
            let (key, tag) = (format!("view:{i}"), format!("customer:{i}"));
            let (cache, loads) = (&cache, &loads);
            async move { load_under(cache, &key, &tag, "new", loads).await }
        };
        assert_eq!(again(1).await, b"new", "{label}");
        assert_eq!(again(2).await, b"old", "{label}");
        assert_eq!(again(3).await, b"new", "{label}");
        assert_eq!(loads.load(Ordering::SeqCst), 5, "{label}");
    }
}

#[tokio::test]
async fn a_load_that_raced_a_write_is_never_served() {
    for (cache, label, _cluster) in caches().await {
        // The load reads the old value, then the writer commits and bumps before it is stored.
        let stale = cache
            .get_or_load("view:1", "customer:1", TTL, || async {
                cache.invalidate("customer:1").await;
                Ok::<_, ()>(b"old".to_vec())
            })
            .await
            .unwrap();
        assert_eq!(stale, b"old");
        let loads = AtomicUsize::new(0);
        let next = load_counted(&cache, "view:1", "new", &loads).await;
        assert_eq!(next, b"new", "{label}: the raced entry must not be served");
    }
}

/// Every caller of a storm misses before the one load finishes: the load is held open until
/// all of them have joined its flight (the flights count their callers), so the overlap is
/// certain rather than hoped for. Were misses not shared, each would run its own load.
#[tokio::test]
async fn concurrent_misses_share_one_load() {
    const CALLERS: usize = 50;
    for (cache, label, _cluster) in caches().await {
        let loads = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..CALLERS {
            let (cache, loads) = (cache.clone(), loads.clone());
            tasks.push(tokio::spawn(async move {
                let flights = cache.flights.clone();
                cache
                    .get_or_load("view:storm", "customer:storm", TTL, || async move {
                        loads.fetch_add(1, Ordering::SeqCst);
                        until_joined(&flights, CALLERS).await;
                        Ok::<_, ()>(b"v".to_vec())
                    })
                    .await
                    .unwrap()
            }));
        }
        let answers = async {
            let mut answers = Vec::new();
            for task in tasks {
                answers.push(task.await.unwrap());
            }
            answers
        };
        // Only a broken single-flight gets here: its loads wait for callers who never join.
        let answers = tokio::time::timeout(Duration::from_secs(30), answers)
            .await
            .unwrap_or_else(|_| panic!("{label}: the misses never met in one flight"));
        assert_eq!(answers, vec![b"v".to_vec(); CALLERS], "{label}");
        assert_eq!(loads.load(Ordering::SeqCst), 1, "{label}");
    }
}

/// Returns once one flight has `callers` callers, woken by each join rather than polling.
async fn until_joined(flights: &flight::Flights, callers: usize) {
    loop {
        // Registered before the count is read, so a join in between still wakes it.
        let joined = flights.joined.notified();
        if flights.most_callers() >= callers {
            return;
        }
        joined.await;
    }
}

#[tokio::test]
async fn a_failed_load_is_returned_and_not_stored() {
    for (cache, label, _cluster) in caches().await {
        let err = cache
            .get_or_load("view:e", "customer:e", TTL, || async {
                Err::<Vec<u8>, _>("down")
            })
            .await;
        assert_eq!(err, Err("down"), "{label}");
        let loads = AtomicUsize::new(0);
        let ok = cache
            .get_or_load("view:e", "customer:e", TTL, || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(b"ok".to_vec())
            })
            .await;
        assert_eq!(ok, Ok(b"ok".to_vec()));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn an_unreachable_redis_answers_from_the_source() {
    let settings = CacheSettings {
        redis_url: Some("redis://127.0.0.1:1".into()),
        timeout_ms: 100,
        ..CacheSettings::in_process()
    };
    let cache = Cache::connect(&settings).await.unwrap();
    let loads = AtomicUsize::new(0);
    assert_eq!(load_counted(&cache, "view:1", "a", &loads).await, b"a");
    assert_eq!(
        cache.invalidate("customer:1").await,
        Invalidated::Queued,
        "a bump Redis never saw is reported, so the writer keeps its durable record"
    );
    assert!(!cache.invalidator()(vec!["customer:2".to_owned()]).await);
    assert_eq!(load_counted(&cache, "view:1", "b", &loads).await, b"b");
    assert_eq!(
        loads.load(Ordering::SeqCst),
        2,
        "nothing is cached while Redis is down"
    );
}

#[tokio::test]
async fn bumps_far_beyond_the_capacity_still_make_their_entries_stale() {
    // Every generation is young, so none may be forgotten however many there are.
    let cache = Cache::in_process(16);
    let loads = AtomicUsize::new(0);
    load_under(&cache, "view:a", "customer:a", "old", &loads).await;
    load_under(&cache, "view:b", "customer:b", "old", &loads).await;
    let many: Vec<String> = (0..1_000).map(|i| format!("customer:{i}")).collect();
    cache.invalidate_many(&many).await;
    cache.invalidate("customer:a").await;
    cache.invalidate_many(&many).await;
    let a = load_under(&cache, "view:a", "customer:a", "new", &loads).await;
    assert_eq!(a, b"new");
    let b = load_under(&cache, "view:b", "customer:b", "new", &loads).await;
    assert_eq!(b, b"old");
}

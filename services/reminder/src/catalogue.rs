//! The touchpoint rules and the templates as ScheduleReminder reads them: every call needs its
//! touchpoint's rule and its template, which change a few times a year, so each is read from
//! the database at most once per [`FRESHNESS`] in a process instead of twice per call. A
//! change made through this process is seen by its next call ([`Catalogue::forget`]); one made
//! through another replica within [`FRESHNESS`]. One caller reads what has gone stale while
//! the others wait for its answer: a busy process would otherwise send every call that came in
//! during the read to the database too (a hundred reads a second at 400 calls a second).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vipcare_storage::Database;

use crate::domain::{Template, Touchpoint, TouchpointRule};
use crate::store::{StoreError, rules, templates};

/// How long a read rule or template is used without asking the database again.
pub const FRESHNESS: Duration = Duration::from_secs(1);

/// Rules and templates recently read. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Catalogue {
    db: Database,
    freshness: Duration,
    rules: Kept<Touchpoint, TouchpointRule>,
    templates: Kept<String, Option<Template>>,
    /// Held by the one caller reading from the database.
    reading: tokio::sync::Mutex<()>,
    /// Counts [`Catalogue::forget`]s: a read that began before one is not kept.
    forgotten: AtomicU64,
}

impl Catalogue {
    pub fn new(db: Database) -> Catalogue {
        Catalogue::keeping(db, FRESHNESS)
    }

    /// A catalogue that keeps what it read for `freshness` (zero: reads every time).
    pub fn keeping(db: Database, freshness: Duration) -> Catalogue {
        Catalogue {
            db,
            freshness,
            rules: Kept::default(),
            templates: Kept::default(),
            reading: tokio::sync::Mutex::new(()),
            forgotten: AtomicU64::new(0),
        }
    }

    /// The touchpoint's rule as stored (NOT_FOUND when it was never seeded).
    pub async fn rule(&self, touchpoint: Touchpoint) -> Result<TouchpointRule, StoreError> {
        if let Some(rule) = self.rules.get(&touchpoint, self.freshness) {
            return Ok(rule);
        }
        let _reading = self.reading.lock().await;
        if let Some(rule) = self.rules.get(&touchpoint, self.freshness) {
            return Ok(rule);
        }
        let generation = self.forgotten.load(Ordering::Acquire);
        let rule = rules::get(self.db.conn(), touchpoint).await?.rule;
        self.keep(generation, || self.rules.put(touchpoint, rule.clone()));
        Ok(rule)
    }

    /// The template stored under `code`, if any.
    pub async fn template(&self, code: &str) -> Result<Option<Template>, StoreError> {
        if let Some(template) = self.templates.get(code, self.freshness) {
            return Ok(template);
        }
        let _reading = self.reading.lock().await;
        if let Some(template) = self.templates.get(code, self.freshness) {
            return Ok(template);
        }
        let generation = self.forgotten.load(Ordering::Acquire);
        let template = templates::get(self.db.conn(), code)
            .await?
            .map(|stored| stored.template);
        self.keep(generation, || {
            self.templates.put(code.to_owned(), template.clone());
        });
        Ok(template)
    }

    /// After this process changed a rule or a template: its next call reads them anew.
    pub fn forget(&self) {
        self.forgotten.fetch_add(1, Ordering::AcqRel);
        self.rules.clear();
        self.templates.clear();
    }

    /// Keeps what was read unless a change was made through this process since the read
    /// began (the read may predate the change).
    fn keep(&self, generation: u64, put: impl FnOnce()) {
        if self.forgotten.load(Ordering::Acquire) == generation {
            put();
        }
    }
}

/// Values with the moment they were read.
#[derive(Debug)]
struct Kept<K, V>(Mutex<HashMap<K, (Instant, V)>>);

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    fn get<Q>(&self, key: &Q, freshness: Duration) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (at, value) = kept.get(key)?;
        (at.elapsed() < freshness).then(|| value.clone())
    }

    fn put(&self, key: K, value: V) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.insert(key, (Instant::now(), value));
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

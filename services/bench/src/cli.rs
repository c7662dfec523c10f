//! The command line. Every subcommand takes the same target options, flattened into its own
//! arguments, so `tier-batch` and `reminders` sit as variants beside `view` and `lookup`.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Benchmarks of vipcare through its gateway.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// GetCustomerView (warm cache, random customers) against the gateway's health Check, each
    /// at the same concurrency, for the same time, over the same connections.
    View(ReadArgs),
    /// LookupCaller (warm cache, random calling numbers) against the gateway's health Check, each
    /// at the same concurrency, for the same time, over the same connections. Priorities come
    /// from the tiering service.
    Lookup(ReadArgs),
    /// One evaluation run of every customer for the current month (stream from profile,
    /// score, write), against streaming the summaries alone; then the same period again.
    TierBatch(BatchArgs),
    /// The reminder service: a backlog of due reminders dispatched to a local webhook sink
    /// against a bare claim-and-complete loop on the same table; the lag from due to sent at a
    /// steady offered rate; IngestEvents against replaying the same feed; the peak RSS while
    /// the backlog is dispatched.
    Reminders(RemindersArgs),
    /// The complaint service: ListComplaints(overdue) against the gateway's health Check at the
    /// same concurrency; one escalation pass over every open complaint against a bare read of
    /// the rows it is due to touch; the peak RSS during the pass.
    Complaints(ComplaintsArgs),
    /// The survey service: SubmitResponse (the hall's staff-assisted form) against the gateway's
    /// health Check at the same concurrency; GetMomentReport over 90 days, whole and by hall,
    /// staff, tier and channel; the roller's time over the loaded responses and the peak RSS.
    Surveys(SurveysArgs),
}

/// The options of `surveys`.
#[derive(Debug, Args)]
pub struct SurveysArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Responses in the store (in-process only), over the last 90 days.
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=10_000_000))]
    pub count: u64,
    /// Customers loaded through the gateway for SubmitResponse (the profile must know them).
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub customers: u64,
    /// How long SubmitResponse and the health check are each driven.
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Requests in flight at any time: the halls' pads and counters together.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// HTTP/2 connections the requests share; worker i always uses connection i mod N.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub connections: u16,
    /// How long each GetMomentReport grouping is driven, one report at a time.
    #[arg(long, value_name = "TIME", default_value = "4s", value_parser = parse_duration)]
    pub report_duration: Duration,
    /// Only the roll and the reports, no SubmitResponse: the peak RSS then is the service's
    /// work on the store (run once with --count 100000 and once with --count 1000000).
    #[arg(long, conflicts_with = "target")]
    pub rss: bool,
}

/// The options of `complaints`.
#[derive(Debug, Args)]
pub struct ComplaintsArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Open complaints in the store (in-process only): 15% of them due for escalation.
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(20..=10_000_000))]
    pub count: u64,
    /// How long ListComplaints(overdue) and the health check are each driven.
    #[arg(long, value_name = "TIME", default_value = "5s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Requests in flight at any time: the supervisors' and dashboards' reads of the overdue
    /// list, not every call of the hall.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// HTTP/2 connections the requests share; worker i always uses connection i mod N.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub connections: u16,
    /// Only the pass: load the store, run one pass, print its time and the peak RSS meanwhile
    /// (run once with --count 100000 and once with --count 1000000 to compare).
    #[arg(long, conflicts_with = "target")]
    pub rss: bool,
}

/// The options of `reminders`.
#[derive(Debug, Args)]
pub struct RemindersArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Due reminders in the backlog, five per customer (in-process only).
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(5..=10_000_000))]
    pub count: u64,
    /// Reminders offered per second through ScheduleReminder for the lag measurement.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub lag_rate: u32,
    /// How long they are offered, e.g. 10 or 10s.
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = parse_duration)]
    pub lag_seconds: Duration,
    /// How long the IngestEvents streams are driven.
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = parse_duration)]
    pub ingest_seconds: Duration,
    /// IngestEvents streams open at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub streams: u16,
    /// Events per IngestEvents message.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub events_per_message: u16,
    /// Only the backlog: load it, dispatch it, print its rate and the peak RSS meanwhile
    /// (run once with --count 100000 and once with --count 1000000 to compare).
    #[arg(long, conflicts_with = "target")]
    pub rss: bool,
}

/// The options of `tier-batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Customers to load (in-process); a running gateway's customers are evaluated as they are.
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    pub customers: usize,
}

/// The options of a read measured against the health check.
#[derive(Debug, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    /// Customers to load (in-process) or to read from a running gateway.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub customers: usize,
}

/// Where the gateway is.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// A running gateway (host:port). Without it the bench starts its own suite in-process: embedded
    /// SQLite, or PostgreSQL and Redis when VIPCARE__DATABASE__URL and VIPCARE__CACHE__REDIS_URL
    /// are set (on a fresh database, dropped at the end).
    #[arg(long, value_name = "ADDR", requires = "api_key")]
    pub target: Option<String>,
    /// The API key to call --target with.
    #[arg(long, value_name = "KEY", requires = "target")]
    pub api_key: Option<String>,
}

/// How hard and how long to drive each operation.
#[derive(Debug, Clone, Args)]
pub struct DriveArgs {
    /// How long each operation is driven, e.g. 10s, 500ms, 1m.
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Requests in flight at any time.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// HTTP/2 connections the requests share; worker i always uses connection i mod N.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub connections: u16,
}

/// `10s`, `500ms`, `2m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration like 10s, 500ms or 1m"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1_000.0,
        "m" | "min" => number * 60.0,
        other => return Err(format!("unknown unit '{other}' (use ms, s or m)")),
    };
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err("must be longer than zero".into());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1_500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("10h").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn a_target_needs_a_key() {
        use clap::Parser;
        assert!(
            Cli::try_parse_from(["vipcare-bench", "view", "--target", "127.0.0.1:50051"]).is_err()
        );
        let cli = Cli::try_parse_from([
            "vipcare-bench",
            "view",
            "--target",
            "127.0.0.1:50051",
            "--api-key",
            "k",
            "--duration",
            "3s",
        ])
        .unwrap();
        let Command::View(args) = cli.command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!(args.drive.duration, Duration::from_secs(3));
        assert_eq!(args.drive.concurrency, 64);
        assert_eq!(args.customers, 1000);
    }

    #[test]
    fn lookup_takes_the_same_options_as_view() {
        use clap::Parser;
        let cli = Cli::try_parse_from([
            "vipcare-bench",
            "lookup",
            "--customers",
            "50",
            "--concurrency",
            "8",
        ])
        .unwrap();
        let Command::Lookup(args) = cli.command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!(args.customers, 50);
        assert_eq!(args.drive.concurrency, 8);
        assert!(args.target.target.is_none());
    }

    #[test]
    fn reminders_defaults_are_the_issue_s_figures() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["vipcare-bench", "reminders"]).unwrap();
        let Command::Reminders(args) = cli.command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!(args.count, 100_000);
        assert_eq!(args.lag_rate, 1000);
        assert_eq!(args.lag_seconds, Duration::from_secs(10));
        assert_eq!(args.ingest_seconds, Duration::from_secs(10));
        assert_eq!((args.streams, args.events_per_message), (4, 500));
        assert!(!args.rss);
    }

    #[test]
    fn reminders_options_are_bounded() {
        use clap::Parser;
        let parse = |extra: &[&str]| {
            let mut argv = vec!["vipcare-bench", "reminders"];
            argv.extend_from_slice(extra);
            Cli::try_parse_from(argv)
        };
        let cli = parse(&["--count", "1000000", "--rss", "--lag-seconds", "3"]).unwrap();
        let Command::Reminders(args) = cli.command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!((args.count, args.rss), (1_000_000, true));
        assert_eq!(args.lag_seconds, Duration::from_secs(3));
        // A message carries at most 1,000 events; a backlog needs a customer's five.
        assert!(parse(&["--events-per-message", "1001"]).is_err());
        assert!(parse(&["--count", "4"]).is_err());
        assert!(parse(&["--lag-rate", "0"]).is_err());
        // --rss measures the in-process suite's own memory: no remote target.
        assert!(parse(&["--rss", "--target", "127.0.0.1:1", "--api-key", "k"]).is_err());
    }

    #[test]
    fn complaints_defaults_are_the_issue_s_figures() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["vipcare-bench", "complaints"]).unwrap();
        let Command::Complaints(args) = cli.command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!(args.count, 100_000);
        assert_eq!(args.duration, Duration::from_secs(5));
        assert_eq!((args.concurrency, args.connections), (8, 2));
        assert!(!args.rss);
        let parse = |extra: &[&str]| {
            let mut argv = vec!["vipcare-bench", "complaints"];
            argv.extend_from_slice(extra);
            Cli::try_parse_from(argv)
        };
        let cli = parse(&["--rss", "--count", "1000000"]).unwrap();
        let Command::Complaints(args) = cli.command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!((args.count, args.rss), (1_000_000, true));
        // A mix of twenty shapes needs twenty complaints; --rss needs the bench's own store.
        assert!(parse(&["--count", "19"]).is_err());
        assert!(parse(&["--rss", "--target", "127.0.0.1:1", "--api-key", "k"]).is_err());
    }

    #[test]
    fn surveys_defaults_are_the_issue_s_figures() {
        use clap::Parser;
        let parse = |extra: &[&str]| {
            let mut argv = vec!["vipcare-bench", "surveys"];
            argv.extend_from_slice(extra);
            Cli::try_parse_from(argv)
        };
        let Command::Surveys(args) = parse(&[]).unwrap().command else {
            panic!("parsed as another subcommand");
        };
        assert_eq!((args.count, args.customers), (100_000, 200));
        assert_eq!(args.duration, Duration::from_secs(10));
        assert_eq!((args.concurrency, args.connections), (32, 4));
        assert_eq!(args.report_duration, Duration::from_secs(4));
        assert!(!args.rss);
        let Command::Surveys(args) = parse(&["--rss", "--count", "1000000"]).unwrap().command
        else {
            panic!("parsed as another subcommand");
        };
        assert_eq!((args.count, args.rss), (1_000_000, true));
        assert!(parse(&["--count", "99"]).is_err());
        assert!(parse(&["--rss", "--target", "127.0.0.1:1", "--api-key", "k"]).is_err());
    }
}

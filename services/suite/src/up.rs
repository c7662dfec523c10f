//! `vipcare up`: settings, telemetry, the suite, optionally the demo, then serve until SIGINT or
//! SIGTERM and drain. Setting mistakes exit with code 2 and one line naming the key, so a
//! script or a pod's restart policy can tell "fix the config" from "the database was down".

use std::path::PathBuf;
use std::process::ExitCode;

use vipcare_runtime::{metrics, shutdown, telemetry};

use crate::demo::{self, DemoKeys};
use crate::{Settings, Suite, SuiteError};

/// What `vipcare up` was asked to do.
#[derive(Debug, Clone)]
pub struct UpOptions {
    pub config: Option<PathBuf>,
    pub demo: bool,
    pub demo_customers: usize,
}

/// Runs the suite until asked to stop; the exit code says how it ended.
pub async fn run(options: UpOptions) -> ExitCode {
    let mut settings = match Settings::load(options.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => return fail(&err.into()),
    };
    let _telemetry = telemetry::init(&settings.telemetry, "vipcare");
    let _metrics = metrics::init(&settings.telemetry, "vipcare");
    if let Err(err) = metrics::serve(&settings.telemetry).await {
        eprintln!("vipcare: telemetry.metrics_listen: {err}");
        return ExitCode::FAILURE;
    }
    // Demo clients must be in the settings before the gateway is built: it reads them once.
    let keys = options.demo.then(DemoKeys::generate);
    if let Some(keys) = &keys {
        keys.register(&mut settings.gateway.clients);
    }
    // The demo imports survey history into the survey's own store.
    let survey_settings = settings.survey();
    let suite = match Suite::start(settings).await {
        Ok(suite) => suite,
        Err(err) => return fail(&err),
    };
    tracing::info!(gateway = %suite.gateway_addr(), profile = %suite.profile_addr(), "vipcare is serving");
    if let Some(keys) = &keys {
        let loaded = tokio::select! {
            loaded = demo::populate(demo::Services {
                profile: suite.profile_addr(),
                tiering: suite.tiering_addr(),
                reminder: suite.reminder_addr(),
                complaint: suite.complaint_addr(),
            }, suite.internal_credential(), keys.admin(), options.demo_customers, &survey_settings) => loaded,
            () = shutdown::signal() => return stop(suite).await,
            () = suite.stopped() => return stop(suite).await,
        };
        match loaded {
            Ok(msisdn) => println!("{}", demo::banner(suite.gateway_addr(), keys, &msisdn)),
            Err(err) => {
                eprintln!("vipcare: {err}");
                let _ = suite.shutdown().await;
                return ExitCode::FAILURE;
            }
        }
    }
    tokio::select! {
        () = shutdown::signal() => {}
        () = suite.stopped() => {}
    }
    stop(suite).await
}

async fn stop(suite: Suite) -> ExitCode {
    match suite.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// One readable line on stderr; 2 for settings the operator must fix, 1 for everything else.
fn fail(err: &SuiteError) -> ExitCode {
    eprintln!("vipcare: {err}");
    if err.is_setting() {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

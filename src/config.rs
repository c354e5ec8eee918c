//! Configuration: an optional `motcua.toml`, overridden by `MOTCUA_*` environment
//! variables. A wrong value stops start-up with one line naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use motcua_app::notify::{NotifyConfig, SmsConfig, SmtpConfig};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// A PostgreSQL streaming replica that reports, dashboards and searches read.
    pub read_database_url: Option<String>,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub demo: bool,
    pub log_format: LogFormat,
    pub secure_cookies: bool,
    pub public_url: String,
    /// Notifications: transports (none: log only), polling, reminders.
    pub notify: NotifyConfig,
    /// When SQLite waits for the disk (see the README): normal or full.
    pub sqlite_synchronous: motcua_store::SqliteSynchronous,
    /// A bearer token that may read `/metrics` from anywhere.
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: motcua_web::TrustedProxies,
    /// Whose key signs copies and results (docs/signing.md).
    pub signer: motcua_app::signing::SignerConfig,
}

/// The file's keys are the variables' names without the prefix, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    read_database_url: Option<String>,
    listen: Option<String>,
    data_dir: Option<String>,
    demo: Option<bool>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    sms_url: Option<String>,
    sms_token: Option<String>,
    notify_poll_secs: Option<u64>,
    remind_after_days: Option<u32>,
    sqlite_synchronous: Option<String>,
    metrics_token: Option<String>,
    trusted_proxies: Option<String>,
    signer_p12: Option<String>,
    signer_p12_password: Option<String>,
    signer_pkcs11_module: Option<String>,
    signer_pkcs11_token: Option<String>,
    signer_pkcs11_slot: Option<SlotValue>,
    signer_pkcs11_pin: Option<String>,
    signer_pkcs11_key: Option<String>,
}

/// A slot id in the file: `signer_pkcs11_slot = 1783724591` or, as
/// `pkcs11-tool` prints it, `"0x6a51a3af"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SlotValue {
    Number(u64),
    Text(String),
}

impl Config {
    /// Reads `MOTCUA_CONFIG` (or `./motcua.toml` when present), then the
    /// environment, through `env` so that tests can supply their own.
    pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let file = match env("MOTCUA_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("motcua.toml")).filter(|p| p.exists()),
        };
        let file: FileConfig = match &file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("MOTCUA_CONFIG: cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| {
                    format!(
                        "MOTCUA_CONFIG: {} is not valid: {}",
                        path.display(),
                        e.message()
                    )
                })?
            }
            None => FileConfig::default(),
        };
        let pick = |var: &str, from_file: Option<String>| env(var).or(from_file);

        let data_dir =
            PathBuf::from(pick("MOTCUA_DATA_DIR", file.data_dir).unwrap_or_else(|| "data".into()));
        let database_url = pick("MOTCUA_DATABASE_URL", file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("motcua.sqlite3").display()));
        if motcua_store::Engine::from_url(&database_url).is_none() {
            return Err(format!(
                "MOTCUA_DATABASE_URL: '{database_url}' is neither sqlite://PATH nor postgres://USER@HOST/DB"
            ));
        }
        let read_database_url = pick("MOTCUA_READ_DATABASE_URL", file.read_database_url)
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        if let Some(url) = &read_database_url {
            let postgres = Some(motcua_store::Engine::Postgres);
            if motcua_store::Engine::from_url(&database_url) != postgres
                || motcua_store::Engine::from_url(url) != postgres
            {
                return Err(format!(
                    "MOTCUA_READ_DATABASE_URL: '{}' must name a PostgreSQL replica (postgres://…) of a PostgreSQL MOTCUA_DATABASE_URL",
                    crate::redact(url)
                ));
            }
        }
        let listen_text =
            pick("MOTCUA_LISTEN", file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            format!("MOTCUA_LISTEN: '{listen_text}' is not HOST:PORT, e.g. 127.0.0.1:8080")
        })?;
        let demo = match env("MOTCUA_DEMO") {
            Some(v) => parse_bool("MOTCUA_DEMO", &v)?,
            None => file.demo.unwrap_or(true),
        };
        let secure_cookies = match env("MOTCUA_SECURE_COOKIES") {
            Some(v) => parse_bool("MOTCUA_SECURE_COOKIES", &v)?,
            None => file.secure_cookies.unwrap_or(false),
        };
        let log_format = match pick("MOTCUA_LOG_FORMAT", file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(format!("MOTCUA_LOG_FORMAT: '{other}' must be text or json"));
            }
        };
        let public_url = pick("MOTCUA_PUBLIC_URL", file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "MOTCUA_PUBLIC_URL: '{public_url}' must start with http:// or https://"
            ));
        }
        let sqlite_synchronous = match pick("MOTCUA_SQLITE_SYNCHRONOUS", file.sqlite_synchronous) {
            None => motcua_store::SqliteSynchronous::default(),
            Some(v) => motcua_store::SqliteSynchronous::parse(&v).ok_or_else(|| {
                format!("MOTCUA_SQLITE_SYNCHRONOUS: '{v}' must be normal or full")
            })?,
        };
        // An empty value counts as unset: no token, local peers only.
        let metrics_token = pick("MOTCUA_METRICS_TOKEN", file.metrics_token)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err("MOTCUA_METRICS_TOKEN: must be at least 16 characters".into());
        }
        let trusted_proxies = motcua_web::TrustedProxies::parse(
            &pick("MOTCUA_TRUSTED_PROXIES", file.trusted_proxies).unwrap_or_default(),
        )
        .map_err(|e| format!("MOTCUA_TRUSTED_PROXIES: {e}"))?;
        let notify = notify_config(
            &env,
            NotifyFile {
                smtp_url: file.smtp_url,
                smtp_from: file.smtp_from,
                sms_url: file.sms_url,
                sms_token: file.sms_token,
                notify_poll_secs: file.notify_poll_secs,
                remind_after_days: file.remind_after_days,
            },
        )?;
        let signer = signer_config(
            &env,
            SignerFile {
                p12: file.signer_p12,
                p12_password: file.signer_p12_password,
                pkcs11_module: file.signer_pkcs11_module,
                pkcs11_token: file.signer_pkcs11_token,
                pkcs11_slot: file.signer_pkcs11_slot.map(|v| match v {
                    SlotValue::Number(n) => n.to_string(),
                    SlotValue::Text(t) => t,
                }),
                pkcs11_pin: file.signer_pkcs11_pin,
                pkcs11_key: file.signer_pkcs11_key,
            },
        )?;
        Ok(Config {
            signer,
            notify,
            trusted_proxies,
            public_url,
            database_url,
            read_database_url,
            listen,
            data_dir,
            demo,
            log_format,
            secure_cookies,
            sqlite_synchronous,
            metrics_token,
        })
    }
}

struct SignerFile {
    p12: Option<String>,
    p12_password: Option<String>,
    pkcs11_module: Option<String>,
    pkcs11_token: Option<String>,
    pkcs11_slot: Option<String>,
    pkcs11_pin: Option<String>,
    pkcs11_key: Option<String>,
}

/// A real CA's identity: a PKCS#12 file (`MOTCUA_SIGNER_P12` and
/// `MOTCUA_SIGNER_P12_PASSWORD`) or a PKCS#11 token (`MOTCUA_SIGNER_PKCS11_MODULE`,
/// `MOTCUA_SIGNER_PKCS11_PIN`, optionally the token by its `…_TOKEN` label or its
/// `…_SLOT` id, and the key by its `…_KEY` label); the demo CA when neither is set.
fn signer_config(
    env: &impl Fn(&str) -> Option<String>,
    file: SignerFile,
) -> Result<motcua_app::signing::SignerConfig, String> {
    use motcua_app::signing::SignerConfig;
    let pick = |var: &str, from_file: Option<String>| {
        env(var)
            .or(from_file)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    // Passwords and PINs are taken as written (spaces may be part of them).
    let secret =
        |var: &str, from_file: Option<String>| env(var).or(from_file).filter(|v| !v.is_empty());
    let p12 = pick("MOTCUA_SIGNER_P12", file.p12);
    let module = pick("MOTCUA_SIGNER_PKCS11_MODULE", file.pkcs11_module);
    match (p12, module) {
        (Some(_), Some(_)) => Err(
            "MOTCUA_SIGNER_P12 and MOTCUA_SIGNER_PKCS11_MODULE: set one of them, not both"
                .to_owned(),
        ),
        (Some(path), None) => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                return Err(format!(
                    "MOTCUA_SIGNER_P12: '{}' is not a readable file",
                    path.display()
                ));
            }
            let password = secret("MOTCUA_SIGNER_P12_PASSWORD", file.p12_password)
                .ok_or("MOTCUA_SIGNER_P12_PASSWORD: required with MOTCUA_SIGNER_P12")?;
            Ok(SignerConfig::Pkcs12 { path, password })
        }
        (None, Some(module)) => {
            let module = PathBuf::from(module);
            if !module.is_file() {
                return Err(format!(
                    "MOTCUA_SIGNER_PKCS11_MODULE: '{}' is not a readable file",
                    module.display()
                ));
            }
            let pin = secret("MOTCUA_SIGNER_PKCS11_PIN", file.pkcs11_pin)
                .ok_or("MOTCUA_SIGNER_PKCS11_PIN: required with MOTCUA_SIGNER_PKCS11_MODULE")?;
            let token_label = pick("MOTCUA_SIGNER_PKCS11_TOKEN", file.pkcs11_token);
            let slot = match pick("MOTCUA_SIGNER_PKCS11_SLOT", file.pkcs11_slot) {
                None => None,
                Some(_) if token_label.is_some() => {
                    return Err("MOTCUA_SIGNER_PKCS11_SLOT and MOTCUA_SIGNER_PKCS11_TOKEN: name the token by its slot or by its label, not both".into());
                }
                Some(text) => Some(parse_slot(&text).ok_or_else(|| {
                    format!(
                        "MOTCUA_SIGNER_PKCS11_SLOT: '{text}' is not a slot id (a whole number as \
                         softhsm2-util --show-slots prints it, or 0x… as pkcs11-tool -L prints it)"
                    )
                })?),
            };
            Ok(SignerConfig::Pkcs11 {
                module,
                token_label,
                slot,
                pin,
                key_label: pick("MOTCUA_SIGNER_PKCS11_KEY", file.pkcs11_key),
            })
        }
        (None, None) => Ok(SignerConfig::DemoCa),
    }
}

/// A slot id as vendor tools print it: decimal (`softhsm2-util
/// --show-slots`: "Slot 1783724591") or hexadecimal with `0x` (`pkcs11-tool -L`:
/// "Slot 0 (0x6a51a3af)").
fn parse_slot(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

struct NotifyFile {
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    sms_url: Option<String>,
    sms_token: Option<String>,
    notify_poll_secs: Option<u64>,
    remind_after_days: Option<u32>,
}

fn notify_config(
    env: &impl Fn(&str) -> Option<String>,
    file: NotifyFile,
) -> Result<NotifyConfig, String> {
    // An empty value counts as unset, so `MOTCUA_SMTP_URL=` turns e-mail off.
    let pick = |var: &str, from_file: Option<String>| {
        env(var)
            .or(from_file)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let defaults = NotifyConfig::default();
    let smtp = match pick("MOTCUA_SMTP_URL", file.smtp_url) {
        None => None,
        Some(url) => {
            motcua_app::notify::check_smtp_url(&url)
                .map_err(|e| format!("MOTCUA_SMTP_URL: {e}"))?;
            let from = pick("MOTCUA_SMTP_FROM", file.smtp_from).ok_or_else(|| {
                "MOTCUA_SMTP_FROM: required when MOTCUA_SMTP_URL is set (the sender, \
                 e.g. \"UBND phường Phố Hiến <motcua@phohien.gov.vn>\")"
                    .to_owned()
            })?;
            motcua_app::notify::check_email_address(&from)
                .map_err(|e| format!("MOTCUA_SMTP_FROM: '{from}' is {e}"))?;
            Some(SmtpConfig { url, from })
        }
    };
    let sms = match pick("MOTCUA_SMS_URL", file.sms_url) {
        None => None,
        Some(url) => {
            motcua_app::notify::check_sms_url(&url).map_err(|e| format!("MOTCUA_SMS_URL: {e}"))?;
            let token = pick("MOTCUA_SMS_TOKEN", file.sms_token);
            Some(SmsConfig { url, token })
        }
    };
    let poll_secs = match env("MOTCUA_NOTIFY_POLL_SECS") {
        Some(v) => parse_number("MOTCUA_NOTIFY_POLL_SECS", &v, 1, 3600)?,
        None => match file.notify_poll_secs {
            Some(n) => parse_number("MOTCUA_NOTIFY_POLL_SECS", &n.to_string(), 1, 3600)?,
            None => defaults.poll_interval.as_secs(),
        },
    };
    let remind_after_days = match env("MOTCUA_REMIND_AFTER_DAYS") {
        Some(v) => parse_number("MOTCUA_REMIND_AFTER_DAYS", &v, 0, 365)?,
        None => match file.remind_after_days {
            Some(n) => parse_number("MOTCUA_REMIND_AFTER_DAYS", &n.to_string(), 0, 365)?,
            None => u64::from(defaults.remind_after_days),
        },
    };
    Ok(NotifyConfig {
        smtp,
        sms,
        poll_interval: std::time::Duration::from_secs(poll_secs),
        // Bounded by 365 above.
        remind_after_days: u32::try_from(remind_after_days).unwrap_or(365),
        ..defaults
    })
}

fn parse_number(var: &str, v: &str, min: u64, max: u64) -> Result<u64, String> {
    match v.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{var}: '{v}' must be a whole number from {min} to {max}"
        )),
    }
}

fn parse_bool(var: &str, v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{var}: '{v}' must be 1 or 0 (true or false)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_under_data() {
        let c = load(&[("MOTCUA_CONFIG", "/nonexistent/ignored.toml")]);
        assert!(c.unwrap_err().starts_with("MOTCUA_CONFIG:"));
        let c = load(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/motcua.sqlite3");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.demo);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(
            c.sqlite_synchronous,
            motcua_store::SqliteSynchronous::Normal
        );
        assert_eq!(c.metrics_token, None);
    }

    #[test]
    fn a_real_signer_is_a_p12_file_or_a_token() {
        use motcua_app::signing::SignerConfig;
        assert!(matches!(load(&[]).unwrap().signer, SignerConfig::DemoCa));
        let dir = std::env::temp_dir().join(format!("motcua-signer-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p12 = dir.join("ca.p12");
        std::fs::write(&p12, b"not read at start-up").unwrap();
        let p12_str = p12.display().to_string();
        let c = load(&[
            ("MOTCUA_SIGNER_P12", &p12_str),
            ("MOTCUA_SIGNER_P12_PASSWORD", " secret "),
        ])
        .unwrap();
        match c.signer {
            SignerConfig::Pkcs12 { path, password } => {
                assert_eq!(path, p12);
                assert_eq!(password, " secret ");
            }
            other => panic!("{other:?}"),
        }
        assert!(load(&[("MOTCUA_SIGNER_P12", &p12_str)])
            .unwrap_err()
            .starts_with("MOTCUA_SIGNER_P12_PASSWORD:"));
        assert!(load(&[
            ("MOTCUA_SIGNER_P12", "/nonexistent.p12"),
            ("MOTCUA_SIGNER_P12_PASSWORD", "x")
        ])
        .unwrap_err()
        .starts_with("MOTCUA_SIGNER_P12:"));
        let c = load(&[
            ("MOTCUA_SIGNER_PKCS11_MODULE", &p12_str),
            ("MOTCUA_SIGNER_PKCS11_PIN", "123456"),
            ("MOTCUA_SIGNER_PKCS11_TOKEN", "motcua"),
        ])
        .unwrap();
        match &c.signer {
            SignerConfig::Pkcs11 {
                module,
                token_label,
                slot,
                pin,
                key_label,
            } => {
                assert_eq!(module, &p12);
                assert_eq!(token_label.as_deref(), Some("motcua"));
                assert_eq!(slot, &None);
                assert_eq!(pin, "123456");
                assert_eq!(key_label, &None);
            }
            other => panic!("{other:?}"),
        }
        // The PIN stays out of the logs.
        assert!(!format!("{:?}", c.signer).contains("123456"));
        assert!(load(&[("MOTCUA_SIGNER_PKCS11_MODULE", &p12_str)])
            .unwrap_err()
            .starts_with("MOTCUA_SIGNER_PKCS11_PIN:"));
        assert!(load(&[
            ("MOTCUA_SIGNER_P12", &p12_str),
            ("MOTCUA_SIGNER_PKCS11_MODULE", &p12_str)
        ])
        .unwrap_err()
        .contains("not both"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_token_is_named_by_its_slot_or_its_label_not_both() {
        use motcua_app::signing::SignerConfig;
        let dir = std::env::temp_dir().join(format!("motcua-slot-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let module = dir.join("vendor_p11.so");
        std::fs::write(&module, b"not loaded at start-up").unwrap();
        let module_str = module.display().to_string();
        let slot_of = |value: &str| match load(&[
            ("MOTCUA_SIGNER_PKCS11_MODULE", &module_str),
            ("MOTCUA_SIGNER_PKCS11_PIN", "123456"),
            ("MOTCUA_SIGNER_PKCS11_SLOT", value),
        ])
        .map(|c| c.signer)
        {
            Ok(SignerConfig::Pkcs11 {
                slot, token_label, ..
            }) => {
                assert_eq!(token_label, None);
                Ok(slot)
            }
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        // As softhsm2-util --show-slots and pkcs11-tool -L print it.
        assert_eq!(slot_of("1783724591"), Ok(Some(1_783_724_591)));
        assert_eq!(slot_of(" 0x6a51a3af "), Ok(Some(0x6a51_a3af)));
        assert_eq!(slot_of("0"), Ok(Some(0)));
        // Empty is unset: the first token.
        assert_eq!(slot_of(""), Ok(None));
        for wrong in ["slot 1", "-1", "0x", "0xzz", "18446744073709551616"] {
            let err = slot_of(wrong).unwrap_err();
            assert!(err.starts_with("MOTCUA_SIGNER_PKCS11_SLOT:"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        let err = load(&[
            ("MOTCUA_SIGNER_PKCS11_MODULE", &module_str),
            ("MOTCUA_SIGNER_PKCS11_PIN", "123456"),
            ("MOTCUA_SIGNER_PKCS11_SLOT", "1"),
            ("MOTCUA_SIGNER_PKCS11_TOKEN", "motcua"),
        ])
        .unwrap_err();
        assert!(
            err.starts_with("MOTCUA_SIGNER_PKCS11_SLOT and MOTCUA_SIGNER_PKCS11_TOKEN:"),
            "{err}"
        );
        assert!(err.contains("not both"), "{err}");
        // From the file, as a number or as text.
        for (line, expected) in [
            ("signer_pkcs11_slot = 7", 7),
            ("signer_pkcs11_slot = \"0x10\"", 16),
        ] {
            let path = dir.join("motcua.toml");
            std::fs::write(
                &path,
                format!(
                    "signer_pkcs11_module = \"{module_str}\"\nsigner_pkcs11_pin = \"1\"\n{line}\n"
                ),
            )
            .unwrap();
            match load(&[("MOTCUA_CONFIG", path.to_str().unwrap())])
                .unwrap()
                .signer
            {
                SignerConfig::Pkcs11 { slot, .. } => assert_eq!(slot, Some(expected)),
                other => panic!("{other:?}"),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn sqlite_synchronous_and_metrics_token() {
        let c = load(&[
            ("MOTCUA_SQLITE_SYNCHRONOUS", "FULL"),
            ("MOTCUA_METRICS_TOKEN", " scrape-token-0123456789 "),
        ])
        .unwrap();
        assert_eq!(c.sqlite_synchronous, motcua_store::SqliteSynchronous::Full);
        assert_eq!(c.metrics_token.as_deref(), Some("scrape-token-0123456789"));
        let c = load(&[("MOTCUA_METRICS_TOKEN", "")]).unwrap();
        assert_eq!(c.metrics_token, None);
    }

    #[test]
    fn a_read_replica_of_postgresql() {
        let c = load(&[
            ("MOTCUA_DATABASE_URL", "postgres://u@primary/motcua"),
            ("MOTCUA_READ_DATABASE_URL", " postgres://u@replica/motcua "),
        ])
        .unwrap();
        assert_eq!(
            c.read_database_url.as_deref(),
            Some("postgres://u@replica/motcua")
        );
        assert_eq!(load(&[]).unwrap().read_database_url, None);
        let err = load(&[
            ("MOTCUA_DATABASE_URL", "postgres://u@primary/motcua"),
            ("MOTCUA_READ_DATABASE_URL", "sqlite://copy.sqlite3"),
        ])
        .unwrap_err();
        assert!(err.starts_with("MOTCUA_READ_DATABASE_URL:"), "{err}");
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (var, value) in [
            ("MOTCUA_LISTEN", "localhost"),
            ("MOTCUA_DATABASE_URL", "mysql://x"),
            ("MOTCUA_DEMO", "maybe"),
            ("MOTCUA_LOG_FORMAT", "xml"),
            ("MOTCUA_SMTP_URL", "http://mail.example.vn"),
            ("MOTCUA_SMS_URL", "sms.example.vn"),
            ("MOTCUA_NOTIFY_POLL_SECS", "0"),
            ("MOTCUA_NOTIFY_POLL_SECS", "often"),
            ("MOTCUA_REMIND_AFTER_DAYS", "-1"),
            ("MOTCUA_REMIND_AFTER_DAYS", "1000"),
            ("MOTCUA_SQLITE_SYNCHRONOUS", "off"),
            ("MOTCUA_METRICS_TOKEN", "short"),
            ("MOTCUA_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            // A replica of an SQLite file does not exist.
            (
                "MOTCUA_READ_DATABASE_URL",
                "postgres://u:secret@replica/motcua",
            ),
        ] {
            let err = load(&[(var, value)]).unwrap_err();
            assert!(err.starts_with(&format!("{var}:")), "{err}");
            assert!(!err.contains('\n'));
        }
        assert!(!load(&[("MOTCUA_DEMO", "0")]).unwrap().demo);
    }

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        assert!(load(&[]).unwrap().trusted_proxies.is_empty());
        let t = load(&[("MOTCUA_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")])
            .unwrap()
            .trusted_proxies;
        assert!(t.contains("10.1.2.3".parse().unwrap()));
        assert!(!t.contains("192.0.2.1".parse().unwrap()));
    }

    #[test]
    fn file_values_are_overridden_by_environment() {
        let dir = std::env::temp_dir().join(format!("motcua-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("motcua.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\ndemo = false\n").unwrap();
        let p = path.to_str().unwrap();
        let c = load(&[("MOTCUA_CONFIG", p)]).unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert!(!c.demo);
        let c = load(&[("MOTCUA_CONFIG", p), ("MOTCUA_LISTEN", "127.0.0.1:1")]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:1");
        std::fs::write(&path, "lisen = 1\n").unwrap();
        assert!(load(&[("MOTCUA_CONFIG", p)])
            .unwrap_err()
            .starts_with("MOTCUA_CONFIG:"));
    }

    #[test]
    fn notifications_only_log_unless_configured() {
        let n = load(&[]).unwrap().notify;
        assert_eq!(n, NotifyConfig::default());
        assert!(n.smtp.is_none() && n.sms.is_none());

        let n = load(&[
            (
                "MOTCUA_SMTP_URL",
                "smtps://motcua:secret@mail.example.vn:465",
            ),
            (
                "MOTCUA_SMTP_FROM",
                "UBND phường Phố Hiến <motcua@phohien.gov.vn>",
            ),
            ("MOTCUA_SMS_URL", "https://sms.example.vn/send"),
            ("MOTCUA_SMS_TOKEN", "tok3n"),
            ("MOTCUA_NOTIFY_POLL_SECS", "10"),
            ("MOTCUA_REMIND_AFTER_DAYS", "0"),
        ])
        .unwrap()
        .notify;
        assert_eq!(
            n.smtp.unwrap().from,
            "UBND phường Phố Hiến <motcua@phohien.gov.vn>"
        );
        let sms = n.sms.unwrap();
        assert_eq!(sms.url, "https://sms.example.vn/send");
        assert_eq!(sms.token.as_deref(), Some("tok3n"));
        assert_eq!(n.poll_interval.as_secs(), 10);
        assert_eq!(n.remind_after_days, 0);

        // The sender is required with a server, and must be an address; the error
        // never repeats the URL (it may hold a password).
        let err = load(&[("MOTCUA_SMTP_URL", "smtp://u:secret@127.0.0.1:2525")]).unwrap_err();
        assert!(err.starts_with("MOTCUA_SMTP_FROM:"), "{err}");
        assert!(!err.contains("secret") && !err.contains('\n'), "{err}");
        let err = load(&[
            ("MOTCUA_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("MOTCUA_SMTP_FROM", "motcua"),
        ])
        .unwrap_err();
        assert!(err.starts_with("MOTCUA_SMTP_FROM:"), "{err}");
        let err = load(&[("MOTCUA_SMTP_URL", "smtp://u:secret@h:25?tls=maybe")]).unwrap_err();
        assert!(err.starts_with("MOTCUA_SMTP_URL:"), "{err}");
        assert!(!err.contains("secret") && !err.contains('\n'), "{err}");
        // Empty means unset.
        assert!(load(&[("MOTCUA_SMTP_URL", "")])
            .unwrap()
            .notify
            .smtp
            .is_none());
    }

    #[test]
    fn notification_settings_from_the_file() {
        let dir = std::env::temp_dir().join(format!("motcua-config-n-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("motcua.toml");
        std::fs::write(
            &path,
            "smtp_url = \"smtp://127.0.0.1:25\"\nsmtp_from = \"motcua@example.vn\"\n\
             notify_poll_secs = 30\nremind_after_days = 5\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let n = load(&[("MOTCUA_CONFIG", p)]).unwrap().notify;
        assert_eq!(n.smtp.unwrap().url, "smtp://127.0.0.1:25");
        assert_eq!(n.poll_interval.as_secs(), 30);
        assert_eq!(n.remind_after_days, 5);
        let n = load(&[("MOTCUA_CONFIG", p), ("MOTCUA_REMIND_AFTER_DAYS", "7")])
            .unwrap()
            .notify;
        assert_eq!(n.remind_after_days, 7);
        std::fs::write(&path, "notify_poll_secs = 0\n").unwrap();
        assert!(load(&[("MOTCUA_CONFIG", p)])
            .unwrap_err()
            .starts_with("MOTCUA_NOTIFY_POLL_SECS:"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

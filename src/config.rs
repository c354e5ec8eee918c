//! Configuration: an optional `motcua.toml`, overridden by `MOTCUA_*` environment
//! variables. A wrong value stops start-up with one line naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub demo: bool,
    pub log_format: LogFormat,
    pub secure_cookies: bool,
    pub public_url: String,
}

/// The file's keys are the variables' names without the prefix, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    data_dir: Option<String>,
    demo: Option<bool>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
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
        Ok(Config {
            public_url,
            database_url,
            listen,
            data_dir,
            demo,
            log_format,
            secure_cookies,
        })
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
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (var, value) in [
            ("MOTCUA_LISTEN", "localhost"),
            ("MOTCUA_DATABASE_URL", "mysql://x"),
            ("MOTCUA_DEMO", "maybe"),
            ("MOTCUA_LOG_FORMAT", "xml"),
        ] {
            let err = load(&[(var, value)]).unwrap_err();
            assert!(err.starts_with(&format!("{var}:")), "{err}");
            assert!(!err.contains('\n'));
        }
        assert!(!load(&[("MOTCUA_DEMO", "0")]).unwrap().demo);
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
}

//! Who is calling, by address: the socket's peer, or, when that peer is one of
//! the reverse proxies named in `MOTCUA_TRUSTED_PROXIES`, the address the proxies
//! recorded in `X-Forwarded-For` (or, without it, `Forwarded`).
//!
//! Behind the reverse proxy that HTTPS needs, every request comes from the proxy;
//! without this, the limits per address would count all citizens as one. The
//! headers are believed only from a trusted peer, and read from the right: each
//! proxy appends the address it saw, so the rightmost address that is not a
//! trusted proxy is the one nobody but the client could have chosen; anything
//! left of it is the client's own claim.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR blocks, e.g.
    /// `127.0.0.1, 10.0.0.0/8, ::1`. Empty: no proxy is trusted.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => match item.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => {
                        return Err(format!(
                            "'{item}' is neither an IP address nor a CIDR block (e.g. 10.0.0.0/8)"
                        ))
                    }
                },
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            match hop {
                // An entry we cannot read: nothing left of it can be trusted.
                None => break,
                Some(ip) => {
                    client = *ip;
                    if !self.contains(*ip) {
                        break;
                    }
                }
            }
        }
        client
    }
}

/// The addresses of `X-Forwarded-For` (every such header, in order), or of the
/// `for=` parameters of `Forwarded` when there is no `X-Forwarded-For`; `None` for
/// an entry that is not an address (`unknown`, an obfuscated name, garbage).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or("?"))
        .collect();
    if !xff.is_empty() {
        return xff
            .iter()
            .flat_map(|v| v.split(','))
            .map(|s| parse_node(s.trim()))
            .collect();
    }
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("for=?").split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim()))
            })
        })
        .collect()
}

/// `203.0.113.9`, `203.0.113.9:4711`, `2001:db8::1`, `"[2001:db8::1]:4711"`.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    s.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_addresses_and_blocks_and_names_the_bad_one() {
        let t = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ,::1,192.168.1.7/24").unwrap();
        assert!(t.contains(ip("127.0.0.1")));
        assert!(t.contains(ip("10.200.3.4")));
        assert!(t.contains(ip("::1")));
        assert!(t.contains(ip("192.168.1.200")));
        assert!(t.contains(ip("::ffff:10.0.0.1")), "IPv4-mapped peers match");
        assert!(!t.contains(ip("11.0.0.1")));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let err = TrustedProxies::parse("10.0.0.1, proxy.local").unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let t = TrustedProxies::parse("10.0.0.1").unwrap();
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(t.client(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn the_rightmost_untrusted_address_is_the_client() {
        let t = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let peer = ip("10.0.0.1");
        // What the client itself wrote (1.1.1.1) is not believed.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(t.client(peer, &h), ip("203.0.113.9"));
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9:5555"),
        ]);
        assert_eq!(t.client(peer, &h), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(t.client(peer, &HeaderMap::new()), peer);
        // Every hop trusted: the leftmost.
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.2")]);
        assert_eq!(t.client(peer, &h), ip("10.9.9.9"));
        // Garbage stops the walk at the last address read.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, nonsense, 10.0.0.2")]);
        assert_eq!(t.client(peer, &h), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let t = TrustedProxies::parse("127.0.0.1").unwrap();
        let peer = ip("127.0.0.1");
        let h = headers(&[(
            "forwarded",
            "for=1.1.1.1, For=\"[2001:db8::7]:4711\";proto=https;by=127.0.0.1",
        )]);
        assert_eq!(t.client(peer, &h), ip("2001:db8::7"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(t.client(peer, &h), peer);
        let h = headers(&[
            ("forwarded", "for=1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(t.client(peer, &h), ip("203.0.113.9"));
    }
}

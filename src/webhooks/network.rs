//! Which addresses a webhook may be sent to. By default only public ones:
//! a subscription must not turn the server into a way to reach loopback,
//! private or link-local services behind it. Operators allow networks of
//! their own with `BROADSIDE_WEBHOOK_ALLOWED_NETWORKS`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use crate::domain::network::Network;
use crate::domain::network::canonical;

/// Why `ip` is not a public address, if it is not one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else if ip.is_documentation() || (a == 198 && (b == 18 || b == 19)) || (a == 192 && b == 0) {
        Some("reserved")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if first == 0x2001 && (ip.segments()[1] == 0x0db8 || ip.segments()[1] == 0) {
        // Documentation, and Teredo (which tunnels to any IPv4 address).
        Some("reserved")
    } else if first == 0x2002 {
        // 6to4 embeds an IPv4 address, private ones included.
        Some("6to4")
    } else if first == 0x0064 && ip.segments()[1] == 0xff9b {
        // NAT64 (well-known and local-use prefixes) reaches any IPv4
        // address, private ones included.
        Some("NAT64")
    } else if ip.segments()[..6].iter().all(|s| *s == 0) {
        // IPv4-compatible (`::a.b.c.d`), deprecated.
        Some("IPv4-compatible")
    } else {
        None
    }
}

/// Whether a webhook may connect to `ip`; the reason when it may not.
pub fn check(ip: IpAddr, allowed: &[Network]) -> Result<(), String> {
    match non_public(ip) {
        Some(_) if allowed.iter().any(|n| n.contains(ip)) => Ok(()),
        Some(kind) => Err(format!(
            "{ip} is a {kind} address; webhooks go to public addresses unless \
             BROADSIDE_WEBHOOK_ALLOWED_NETWORKS allows it"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn private_loopback_and_link_local_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(check(ip(refused), &[]).is_err(), "{refused}");
        }
        for public in ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1"] {
            assert!(check(ip(public), &[]).is_ok(), "{public}");
        }
    }

    #[test]
    fn allowed_networks_let_their_addresses_through_and_no_others() {
        let allowed: Vec<Network> = ["127.0.0.1/32", "10.8.0.0/16", "::1"]
            .iter()
            .map(|n| n.parse().unwrap_or_else(|e| panic!("{n}: {e}")))
            .collect();
        for ok in ["127.0.0.1", "10.8.200.1", "::1", "::ffff:127.0.0.1"] {
            assert!(check(ip(ok), &allowed).is_ok(), "{ok}");
        }
        for refused in ["127.0.0.2", "10.9.0.1", "192.168.0.1"] {
            assert!(check(ip(refused), &allowed).is_err(), "{refused}");
        }
        assert!("0.0.0.0/0".parse::<Network>().is_ok_and(|n| n.contains(ip("10.0.0.1"))));
        // An IPv4 network written as IPv6 allows that network only.
        let mapped: Vec<Network> = ["::ffff:10.0.0.5", "::ffff:192.168.0.0/112"]
            .iter()
            .map(|n| n.parse().unwrap_or_else(|e| panic!("{n}: {e}")))
            .collect();
        for ok in ["10.0.0.5", "192.168.7.7"] {
            assert!(check(ip(ok), &mapped).is_ok(), "{ok}");
        }
        for refused in ["10.0.0.6", "169.254.169.254", "127.0.0.1"] {
            assert!(check(ip(refused), &mapped).is_err(), "{refused}");
        }
        for bad in ["10.0.0.0/33", "localhost", "10.0.0/8", "::1/129", "::ffff:10.0.0.0/90"] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }
}

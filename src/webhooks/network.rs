//! Which addresses a webhook may be sent to. By default only public ones:
//! a subscription must not turn the server into a way to reach loopback,
//! private or link-local services behind it. Operators allow networks of
//! their own with `BROADSIDE_WEBHOOK_ALLOWED_NETWORKS`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IP network in CIDR notation, such as `10.1.0.0/16` or `::1/128`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let prefix = u32::from(self.prefix);
        match (self.address, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = 32u32.checked_sub(prefix).and_then(|n| u32::MAX.checked_shl(n)).unwrap_or(0);
                prefix <= 32 && u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = 128u32.checked_sub(prefix).and_then(|n| u128::MAX.checked_shl(n)).unwrap_or(0);
                prefix <= 128 && u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match s.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s, None),
        };
        let address: IpAddr =
            address.parse().map_err(|_| "not an IP network such as 10.0.0.0/8 or ::1/128".to_owned())?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or(format!("the prefix must be 0 to {bits}"))?,
            None => bits,
        };
        // An IPv4 network written as IPv6 (`::ffff:10.0.0.0/104`) is that
        // IPv4 network: its prefix counts the last 32 bits only.
        match canonical(address) {
            IpAddr::V4(v4) if address.is_ipv6() => {
                let prefix = prefix
                    .checked_sub(96)
                    .ok_or("an IPv4-mapped network needs a prefix of at least 96".to_owned())?;
                Ok(Self { address: IpAddr::V4(v4), prefix })
            }
            address => Ok(Self { address, prefix }),
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

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

//! IP networks in CIDR notation, as settings name them
//! (`BROADSIDE_WEBHOOK_ALLOWED_NETWORKS`).

use std::fmt;
use std::net::IpAddr;
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
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

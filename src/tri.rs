//! A three-valued truth (true, false, unknown), shared by every condition
//! tplint evaluates: GitHub's `if:` (`facts::conditions`) and GitLab's
//! `rules:` (`gitlab::rules`). Unknown never becomes a confident finding.

/// True, false, or not known from what the repository says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tri {
    False,
    #[default]
    Unknown,
    True,
}

impl Tri {
    pub fn from_bool(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }

    /// Both hold (Kleene's conjunction).
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Either holds (Kleene's disjunction).
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tri;

    #[test]
    fn kleene_tables() {
        use Tri::{False as F, True as T, Unknown as U};
        assert_eq!(T.and(U), U);
        assert_eq!(F.and(U), F);
        assert_eq!(T.or(U), T);
        assert_eq!(F.or(U), U);
        assert_eq!(!U, U);
        assert_eq!(!T, F);
        assert_eq!(Tri::from_bool(false), F);
        assert_eq!(Tri::default(), U);
    }
}

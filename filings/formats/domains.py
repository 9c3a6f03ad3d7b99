"""Domain names as filed: the registrable domain under the Public Suffix List's ICANN section."""

from publicsuffixlist import PublicSuffixList

# The list ships inside the package (updated with each release); nothing is downloaded at run time.
# Only the ICANN section: private suffixes (github.io…) are hosting services, not registries.
PUBLIC_SUFFIXES = PublicSuffixList(only_icann=True)


def registrable_domain(host: str) -> str | None:
    """Return the domain a host belongs to as registered (blog.example.com.cn → example.com.cn), or
    None when the host is itself a public suffix (com.cn, gov.cn)."""
    return PUBLIC_SUFFIXES.privatesuffix(host) if host else None


def public_suffix(host: str) -> str | None:
    """Return the public suffix of a host (example.com.cn → com.cn)."""
    return PUBLIC_SUFFIXES.publicsuffix(host) if host else None


def is_public_suffix(host: str) -> bool:
    """Return whether a name is a suffix under which others register (cn, com.cn, gov.cn)."""
    return bool(host) and PUBLIC_SUFFIXES.is_public(host)

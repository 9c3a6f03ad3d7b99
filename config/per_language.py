"""Words a page prints on every request, translated once per language and process.

A translation is fixed by the code (the catalogues under locale/), so it needs no invalidation; only
a test that changes the languages or the catalogues makes it read them again."""

import functools
from collections.abc import Callable
from typing import TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language, gettext

_cached: list[Callable] = []
T = TypeVar("T")


def per_language(build: Callable[..., T]) -> Callable[..., T]:
    """Return `build` called once per active language and arguments (it translates with the active
    language; its arguments are few values of the code, such as a filing's type and state)."""
    by_language = functools.cache(lambda language, *args: build(*args))
    _cached.append(by_language)
    return functools.wraps(build)(lambda *args: by_language(get_language(), *args))


@per_language
def choice_label(choices: type, value: str) -> str:
    """Return the label of `value` among `choices` (a TextChoices class) in the active language:
    Django translates a lazy label at each use, and a page of 50 alerts used some 300 of them."""
    return str(choices(value).label)


@functools.cache
def _names(language: str) -> dict[str, str]:
    return {}


def name_translator() -> Callable[[str], str]:
    """Return gettext for the names of reference rows (provinces) in the active language, each
    remembered per language: the list pages translate some 30 of them each (about 30 calls each
    through gettext)."""
    names = _names(get_language())

    def translated(name: str) -> str:
        if name not in names:
            names[name] = gettext(name)
        return names[name]

    return translated


def translated_name(name: str) -> str:
    """Return gettext(name) for the name of a reference row (see name_translator())."""
    return name_translator()(name)


_cached.append(_names)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        for by_language in _cached:
            by_language.cache_clear()

"""Words translated once per language and process (config.per_language): each reader still
gets their own language, and a change of the catalogues' settings reads them again."""

from django.utils import translation

from config.per_language import per_language, translated_name


def test_words_are_built_once_per_language_and_follow_the_active_one():
    built = []

    @per_language
    def words() -> str:
        built.append(translation.get_language())
        return translation.gettext("审核队列")

    for language, expected in [("en", "Review queues"), ("zh-hans", "审核队列"), ("en", "Review queues")]:
        with translation.override(language):
            assert words() == expected
    assert built == ["en", "zh-hans"]


def test_changing_the_languages_setting_builds_them_again(settings):
    built = []

    @per_language
    def words() -> str:
        built.append(1)
        return translation.gettext("审核队列")

    with translation.override("en"):
        words()
        settings.LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
        words()
    assert len(built) == 2


def test_a_name_is_translated_in_each_readers_language():
    with translation.override("en"):
        assert translated_name("审核队列") == "Review queues"
        assert translated_name("没有这个词") == "没有这个词"
    with translation.override("zh-hans"):
        assert translated_name("审核队列") == "审核队列"


def test_words_built_from_arguments_are_remembered_per_language_and_arguments():
    built = []

    @per_language
    def label(state: str) -> str:
        built.append((translation.get_language(), state))
        return translation.gettext(state)

    for language in ["en", "zh-hans", "en"]:
        with translation.override(language):
            assert label("审核队列") == ("Review queues" if language == "en" else "审核队列")
            label("审核队列")
    assert built == [("en", "审核队列"), ("zh-hans", "审核队列")]

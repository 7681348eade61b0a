package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LanguageTaggerTest {

    @Test
    void latinScriptLanguagesByTheirFunctionWords() {
        assertThat(LanguageTagger.guess("Shares of the company fell after it cut the outlook for the year")).isEqualTo("en");
        assertThat(LanguageTagger.guess("Die Aktie der Bank ist nach den Zahlen auf dem tiefsten Stand")).isEqualTo("de");
        assertThat(LanguageTagger.guess("Les actions de la banque sont en baisse dans un marché nerveux")).isEqualTo("fr");
        assertThat(LanguageTagger.guess("Las acciones del banco caen por la débil demanda y los costes")).isEqualTo("es");
    }

    @Test
    void scriptsThatIdentifyTheirLanguage() {
        assertThat(LanguageTagger.guess("トヨタ自動車の株価が上昇した")).isEqualTo("ja");
        assertThat(LanguageTagger.guess("苹果公司股价上涨")).isEqualTo("zh");
        assertThat(LanguageTagger.guess("삼성전자 주가 상승")).isEqualTo("ko");
    }

    @Test
    void unknownRatherThanAGuessForShortOrAmbiguousText() {
        assertThat(LanguageTagger.guess("$AAPL up 3%")).isNull();
        assertThat(LanguageTagger.guess("Акции Сбербанка выросли")).isNull();
        assertThat(LanguageTagger.guess("")).isNull();
        assertThat(LanguageTagger.guess("12345 !!!")).isNull();
    }
}

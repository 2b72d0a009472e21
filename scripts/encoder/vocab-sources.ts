/**
 * The project's own text: every word in these files goes into the default encoder's
 * vocabulary (when the source vectors have it), so demo and test data never hit [UNK]
 * just because a word is rarer than the 30,000 most frequent. Add a data file here when
 * it brings new text (the synthetic world's lexicon, the demo catalogue), then rebuild.
 */
export const VOCAB_SOURCES = ['test/fixtures/encoder-pairs.json', 'test/fixtures/encoder-phrases.json', 'src/world/lexicon.json'];

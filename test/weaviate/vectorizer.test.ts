import { describe, expect, it } from 'vitest';
import { vectorizerStateOf } from '../../src/weaviate/vectorizer.ts';

describe('vectorizerStateOf (Weaviate GET /v1/meta)', () => {
  it('is missing when Weaviate does not run the module, listing the modules it runs', () => {
    const meta = { modules: { 'text2vec-ollama': {}, 'generative-openai': {} } };
    expect(vectorizerStateOf(meta, 'text2vec-transformers')).toEqual({
      state: 'missing',
      modules: ['generative-openai', 'text2vec-ollama'],
    });
    expect(vectorizerStateOf({}, 'text2vec-transformers')).toEqual({ state: 'missing', modules: [] });
  });

  it('is failing when the module reports an error reaching its inference service', () => {
    const error = 'send GET meta request: Get "http://t2v:8080/meta": dial tcp: connection refused';
    expect(vectorizerStateOf({ modules: { 'text2vec-transformers': { error } } }, 'text2vec-transformers')).toEqual({
      state: 'failing',
      error,
    });
  });

  it('is ok with the model the service reports, and its dimension', () => {
    const entry = { model: { _name_or_path: './models/model', hidden_size: 384 }, model_path: './models/model' };
    expect(vectorizerStateOf({ modules: { 'text2vec-transformers': entry } }, 'text2vec-transformers')).toEqual({
      state: 'ok',
      model: './models/model',
      dimensions: 384,
    });
    const ours = { ...entry, name: 'sentence-transformers/all-MiniLM-L6-v2' };
    expect(vectorizerStateOf({ modules: { 'text2vec-transformers': ours } }, 'text2vec-transformers')).toMatchObject({
      model: 'sentence-transformers/all-MiniLM-L6-v2',
    });
  });
});

/** The two kinds of concept the search service answers for, and their collections. */
export const CONCEPT_TYPES = ['skill', 'occupation'] as const;
export type ConceptType = (typeof CONCEPT_TYPES)[number];

export const COLLECTION: Record<ConceptType, string> = { skill: 'Skill', occupation: 'Occupation' };

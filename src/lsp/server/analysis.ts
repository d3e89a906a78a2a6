/**
 * One version of one document as the features see it: the model (always there, cheap) and the
 * assembly of the same text when it has finished (label addresses, section names).
 */
import { AssemblyOutcome } from './assembler-runner';
import { DocumentModel, Span, SymbolDefinition, SymbolReference, statementAt } from './document-model';
import { ConstantEvaluator } from './evaluate';
import { MemoryHint, isMemoryInstruction, memoryHints } from './register-values';

export class Analysis {
  private hints: MemoryHint[] | undefined;
  private evaluatorCache: ConstantEvaluator | undefined;
  readonly addresses: ReadonlyMap<string, number>;

  constructor(readonly model: DocumentModel, readonly outcome?: AssemblyOutcome) {
    this.addresses = new Map((outcome?.symbols ?? []).filter((s) => s.type !== 'section').map((s) => [s.name, s.value]));
  }

  get evaluator(): ConstantEvaluator {
    return (this.evaluatorCache ??= new ConstantEvaluator(this.model, this.addresses));
  }

  get memoryHints(): readonly MemoryHint[] {
    return (this.hints ??= memoryHints(this.model, this.evaluator));
  }

  /**
   * The memory hint whose operand holds `span`. The hints come from a scan of the whole file, so
   * it runs only when `span` is in a load, store or AMO: a hover elsewhere costs nothing per line.
   */
  memoryHintAt(span: Span): MemoryHint | undefined {
    if (!isMemoryInstruction(statementAt(this.model, span.start))) return undefined;
    return this.memoryHints.find((h) => h.start <= span.start && span.end <= h.end);
  }

  referenceAt(offset: number): SymbolReference | undefined {
    return atOffset(this.model.references, offset);
  }

  definitionAt(offset: number): SymbolDefinition | undefined {
    return atOffset([...this.model.definitions.values()].flat(), offset);
  }

  /** The symbol key under the cursor, whether it is written as a definition or a reference. */
  symbolKeyAt(offset: number): string | undefined {
    return this.definitionAt(offset)?.key ?? this.referenceAt(offset)?.key;
  }

  definitionsOf(key: string): readonly SymbolDefinition[] {
    return this.model.definitions.get(key) ?? [];
  }

  referencesOf(key: string): readonly SymbolReference[] {
    return this.model.references.filter((r) => r.key === key);
  }
}

/** The span containing `offset`, else one ending exactly there (the cursor just after a word). */
function atOffset<T extends Span>(spans: readonly T[], offset: number): T | undefined {
  return spans.find((s) => s.start <= offset && offset < s.end) ?? spans.find((s) => s.end === offset);
}

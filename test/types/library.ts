// Type-level checks of the library's declaration file as an author's TypeScript sees it (the
// built dist/canvas-companion.d.mts): `npm run typecheck` fails if a line below stops holding.
import { expectTypeOf } from 'vitest';
import {
  getContext,
  isCompanionError,
  requestJSON,
  subscribe,
  type CompanionContext,
  type CompanionError,
  type CompanionErrorCode,
  type SubscriptionStatus,
} from '../../dist/canvas-companion.mjs';

declare const context: CompanionContext;

// The context is a union discriminated by `scope`: each scope says which IDs are strings.
if (context.scope === 'global') {
  expectTypeOf(context.patientId).toEqualTypeOf<null>();
  expectTypeOf(context.noteId).toEqualTypeOf<null>();
} else if (context.scope === 'patient') {
  expectTypeOf(context.patientId).toEqualTypeOf<string>();
  expectTypeOf(context.noteId).toEqualTypeOf<null>();
} else {
  expectTypeOf(context.scope).toEqualTypeOf<'note'>();
  expectTypeOf(context.patientId).toEqualTypeOf<string>();
  expectTypeOf(context.noteId).toEqualTypeOf<string>();
}
// @ts-expect-error: before narrowing, the patient ID may be null.
const patientId: string = getContext().patientId;
expectTypeOf(getContext().params).toEqualTypeOf<URLSearchParams>();
// @ts-expect-error: there is no fourth scope.
const scope: CompanionContext['scope'] = 'encounter';

// isCompanionError narrows an unknown catch value to the error class, with its typed code.
declare const caught: unknown;
if (isCompanionError(caught)) {
  expectTypeOf(caught).toEqualTypeOf<CompanionError>();
  expectTypeOf(caught.code).toEqualTypeOf<CompanionErrorCode>();
  expectTypeOf(caught.status).toEqualTypeOf<number | undefined>();
} else {
  // @ts-expect-error: not narrowed, so no code.
  void caught.code;
}
// @ts-expect-error: codes are a closed list.
isCompanionError(caught, 'UNAUTHORISED');

// requestJSON's answer type is the caller's to say; its options are checked.
expectTypeOf(requestJSON<{ id: string }>('/x')).toEqualTypeOf<Promise<{ id: string }>>();
// @ts-expect-error: timeout is a number of ms.
void requestJSON('/x', { timeout: '5s' });

// A subscription's status is one of the documented words.
const subscription = subscribe('tasks', (message) => expectTypeOf(message).toEqualTypeOf<Record<string, unknown>>(), {
  onStatus: (status) => expectTypeOf(status).toEqualTypeOf<SubscriptionStatus>(),
});
expectTypeOf(subscription.status).toEqualTypeOf<SubscriptionStatus>();
// @ts-expect-error: a subscription needs a message listener.
subscribe('tasks');

void patientId;
void scope;

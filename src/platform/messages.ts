/**
 * Messages between patients and staff: written with the Message effect's fields
 * (`canvas_sdk.effects.note.message.Message`), read as the data model names them, with who sent
 * and got each and its deliveries. `CREATE_MESSAGE`, `CREATE_AND_SEND_MESSAGE`, `SEND_MESSAGE`,
 * `EDIT_MESSAGE` and the direct writes share these checks.
 * @module
 */
import { checkFields, checkFilter, dateTime, nullable, string } from './fields.js';
import { canonicalId, uuid } from './ids.js';
import type { Lookups } from './lookups.js';
import type { StoredMessage } from './sample-data.js';
import type { Message, PluginPlatform } from './types.js';
import { copy, fail } from './values.js';

/** The Message effect's fields and their checks. */
const FIELDS = {
  message_id: nullable(string(100)),
  content: nullable(string(10_000)),
  sender_id: string(100),
  recipient_id: string(100),
  read: nullable(dateTime),
};
const HINTS: Readonly<Record<string, string>> = {
  id: 'the Message effect calls it message_id',
  text: 'the Message effect calls it content',
  body: 'the Message effect calls it content',
  sender: 'the Message effect takes sender_id (a patient or staff key)',
  recipient: 'the Message effect takes recipient_id (a patient or staff key)',
  patient_id: 'a message goes from sender_id to recipient_id (patient or staff keys)',
};

/** What a Message effect method does. */
export type MessageMethod = 'create' | 'create_and_send' | 'send' | 'edit';

/** The messages of one platform: `platform.messages`, and the writes the Message effects land with. */
export function createMessages(lookups: Lookups): PluginPlatform['messages'] & {
  /** Checks a Message effect's data now, for `method`, as the SDK validates it. */
  check(where: string, data: unknown, method: MessageMethod): void;
  /** Lands a Message effect. */
  land(where: string, data: unknown, method: MessageMethod): Message;
} {
  const { data } = lookups;
  const find = (id: unknown) => data.messages.find((m) => m.id === canonicalId(id)) ?? null;
  const view = (m: StoredMessage): Message => ({
    ...copy(m), sender: lookups.needPerson(m.sender_id, 'message'), recipient: lookups.needPerson(m.recipient_id, 'message'),
  });
  /** The patient a message is with, and its staff parties: who a change concerns. */
  const parties = (m: StoredMessage) => {
    const people = [lookups.needPerson(m.sender_id, 'message'), lookups.needPerson(m.recipient_id, 'message')];
    return { patient_id: people.find((p) => p.type === 'Patient')?.id ?? null, staff_ids: [...new Set(people.filter((p) => p.type === 'Staff').map((p) => p.id))] };
  };
  const changed = (m: StoredMessage, action: 'created' | 'updated') => {
    lookups.emit({ kind: 'message', action, id: m.id, ...parties(m), record: view(m) });
    return view(m);
  };
  const deliver = (m: StoredMessage, time: string) => {
    m.transmissions.push({ id: uuid(), created: time, delivered: true, failed: false, contact_point_system: 'noop', contact_point_value: '', comment: '', delivered_by_id: null });
  };

  /** The fields, as the SDK's `_get_error_details` checks them for `method`. */
  function check(where: string, input: unknown, method: MessageMethod) {
    const fields = checkFields(where, input, FIELDS, ['sender_id', 'recipient_id'], HINTS);
    if (!Object.hasOwn(input as object, 'content')) fail(`${where}: content is required (Message has no default for it: pass null to leave it when editing)`);
    lookups.needPerson(fields.sender_id, `${where}: sender_id`);
    lookups.needPerson(fields.recipient_id, `${where}: recipient_id`);
    if (method === 'create' || method === 'create_and_send') {
      if (!fields.content?.trim()) fail(`${where}: message content cannot be empty`);
      if (fields.message_id) fail(`${where}: can't set message_id when creating a message`);
      return { fields, message: null };
    }
    if (!fields.message_id) fail(`${where}: message_id is required to ${method} a message`);
    return { fields, message: find(fields.message_id) ?? fail(`${where}: can't ${method} message ${fields.message_id}: it does not exist`) };
  }

  function land(where: string, input: unknown, method: MessageMethod): Message {
    const { fields, message } = check(where, input, method);
    const time = lookups.now();
    if (!message) {
      const created: StoredMessage = {
        id: uuid(), created: time, modified: time, content: fields.content!, sender_id: fields.sender_id!, recipient_id: fields.recipient_id!, note_id: null,
        read: fields.read ?? null, transmissions: [],
      };
      if (method === 'create_and_send') deliver(created, time);
      data.messages.push(created);
      return changed(created, 'created');
    }
    if (fields.content != null) message.content = fields.content;
    if (method === 'edit') {
      message.sender_id = fields.sender_id!;
      message.recipient_id = fields.recipient_id!;
      if (fields.read !== undefined) message.read = fields.read;
    }
    if (method === 'send') deliver(message, time);
    message.modified = time;
    return changed(message, 'updated');
  }

  return {
    list(filter = {}) {
      checkFilter('messages.list', filter, ['patient_id', 'staff_id', 'unread']);
      const { patient_id, staff_id, unread } = filter;
      const about = (m: StoredMessage, id: string | undefined) => id === undefined || m.sender_id === id || m.recipient_id === id;
      return data.messages.filter((m) => about(m, patient_id) && about(m, staff_id) && (unread === undefined || (m.read === null) === unread))
        .sort((a, b) => a.created.localeCompare(b.created)).map(view);
    },
    get(id) {
      const found = find(id);
      return found && view(found);
    },
    add: (fields, { send = true } = {}) => land('messages.add', fields, send ? 'create_and_send' : 'create'),
    update(id, fields) {
      const message = find(id) ?? fail(`messages.update: no message ${JSON.stringify(id)}`);
      const { sender_id, recipient_id } = message;
      return land('messages.update', { sender_id, recipient_id, content: null, ...fields, message_id: message.id }, 'edit');
    },
    send(id) {
      const message = find(id) ?? fail(`messages.send: no message ${JSON.stringify(id)}`);
      return land('messages.send', { sender_id: message.sender_id, recipient_id: message.recipient_id, content: null, message_id: message.id }, 'send');
    },
    check: (where, input, method) => void check(where, input, method),
    land,
  };
}

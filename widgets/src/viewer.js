// The viewer's anonymous id and consent choices, as this browser remembers them.
import { uid } from "./storage.js";

export const ID = "veneer:id";
export const CHOICES = "veneer:consent";

/**
 * Where consent is required, the id lives in memory only until ANALYTICS is granted; a
 * refusal is remembered (the choices, no id) so the banner does not ask on every page.
 */
export function createViewer(storage, required) {
  let choices = null;
  try {
    choices = JSON.parse(storage.get(CHOICES));
  } catch {
    // nothing remembered, or not ours
  }
  const viewer = {
    id: storage.get(ID) || uid(),
    choices: () => choices,
    /** Events may leave the page: the viewer granted ANALYTICS, or was not asked and need
     * not be (the server then applies the consent it has on record). */
    analytics: () => (choices ? !!choices.ANALYTICS : !required),
    /** The viewer said no: events are dropped rather than held. */
    refused: () => !!choices && !choices.ANALYTICS,
    remember(next) {
      choices = next;
      storage.set(CHOICES, JSON.stringify(next));
      keep();
    },
  };
  const keep = () => (viewer.analytics() ? storage.set(ID, viewer.id) : storage.remove(ID));
  keep();
  return viewer;
}

/**
 * What ties a form control to its FormField: the field's message block (error, hint, note) is
 * `${id}-message`, and a control whose value is refused is marked invalid, so a screen reader
 * reads the message with the control and the form can focus the first refused one.
 */
export function fieldAria(id: string, error?: string): { 'aria-invalid': 'true' | undefined; 'aria-describedby': string } {
  return { 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': `${id}-message` };
}

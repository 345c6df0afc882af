/* The Jupyter widget's front end (anywidget): the browser client of `amrcast serve`
 * (web/viewer.js, which widget.py puts before this module) talking through the widget's comm
 * instead of a WebSocket, to a viewer in the kernel's process.
 *
 * Each view of the widget (a notebook may show one widget in several outputs) is one viewer
 * with its own id `v`. Messages to the kernel: `{v, open}`, `{v, t: TEXT}` (a protocol message),
 * `{v, ack}` (a frame arrived), `{v, close}`. From the kernel: `{v, opened}`, `{v, t: TEXT}`,
 * `{v, image, frame}` with the image message as the one buffer (`frame`: acknowledge it),
 * `{v, closed: REASON}`. */

function render({ model, el }) {
  const v = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let handlers = null;
  const onMessage = (msg, buffers) => {
    if (!handlers || !msg || msg.v !== v) return;
    if (msg.opened) handlers.open();
    else if (typeof msg.t === "string") handlers.text(msg.t);
    else if (msg.image && buffers && buffers.length === 1) {
      const b = buffers[0];
      const bytes = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      if (msg.frame) model.send({ v, ack: 1 });
      handlers.binary(bytes);
    } else if (typeof msg.closed === "string") handlers.close(msg.closed);
  };
  const transport = {
    start(h) {
      handlers = h;
      model.on("msg:custom", onMessage);
      model.send({ v, open: 1 });
    },
    send(text) {
      if (handlers) model.send({ v, t: text });
    },
    close() {
      if (!handlers) return;
      handlers = null;
      model.off("msg:custom", onMessage);
      model.send({ v, close: 1 });
    },
  };
  el.classList.add("amc-widget");
  const size = () => {
    el.style.height = `${model.get("height")}px`;
  };
  size();
  model.on("change:height", size);
  const client = new globalThis.AmrcastClient(el, transport);
  // For tests and the browser's console: every client on the page, newest last.
  (globalThis.amrcastWidgets = globalThis.amrcastWidgets || []).push(client);
  return () => {
    model.off("change:height", size);
    client.destroy();
  };
}

export default { render };

// DrBot local web chat: plays the incident channel against the bot's /api/local JSON API.
// Messages come from GET /api/local/messages and live from the server-sent events of
// GET /api/local/events; commands and card clicks are posted as the person chosen in "Act as".
"use strict";

(() => {
  const api = {
    people: "/api/local/people",
    messages: "/api/local/messages",
    events: "/api/local/events",
    actions: "/api/local/actions",
    channel: "/api/local/channel",
  };

  const ui = {
    channel: document.getElementById("channel-name"),
    connection: document.getElementById("connection"),
    person: document.getElementById("as-person"),
    list: document.getElementById("messages"),
    empty: document.getElementById("empty"),
    form: document.getElementById("composer"),
    command: document.getElementById("command"),
    send: document.getElementById("send"),
  };

  // The timeline holds server messages (by id, replaced in place) and the replies this page got
  // to its own commands, in the order they happened. Replies to card clicks hang under their card.
  const state = {
    people: [],
    messages: new Map(),
    timeline: [],
    actionReplies: new Map(),
  };

  const currentUser = () => ui.person.value;
  const displayName = (name) => state.people.find((p) => p.name === name)?.displayName ?? name;

  // ---- text: HTML-escaped first, then the little markdown the bot uses (**bold**, `code`) ----

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // ---- icons: the page carries its own, so a machine without an emoji font shows no empty boxes ----
  // The cards keep their emoji (Teams and Slack draw them); the page swaps each for an inline SVG.

  const iconShapes = {
    check: '<path d="M4 8.5l2.5 2.5L12 5.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>',
    cross: '<path d="M5 5l6 6M11 5l-6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    ring: '<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/>',
    hourglass: '<path d="M4.5 2.5h7M4.5 13.5h7M5.5 2.5c0 3 5 3.5 5 5.5s-5 2.5-5 5.5M10.5 2.5c0 3-5 3.5-5 5.5s5 2.5 5 5.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
    pause: '<path d="M6 5v6M10 5v6" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    skip: '<path d="M4 4.5l4.5 3.5L4 11.5zM8.5 4.5L13 8l-4.5 3.5z" fill="currentColor"/>',
    bar: '<path d="M4.5 8h7" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>',
    slash: '<path d="M3.5 12.5l9-9" stroke="currentColor" stroke-width="1.5"/>',
    back: '<path d="M6 4L3 7l3 3M3 7h6.5a3.5 3.5 0 010 7H7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>',
    warning: '<path d="M8 2l6.5 11.5h-13z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/><path d="M8 6.5v3.5M8 11.6v.4" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    dot: '<circle cx="8" cy="8" r="5" fill="currentColor"/>',
    bell: '<path d="M4 11.5h8l-1-1.5V7a3 3 0 00-6 0v3zM7 13h2" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
    siren: '<path d="M4.5 12V8.5a3.5 3.5 0 017 0V12M3 12.5h10M8 2v1.5M3 4l1 1M13 4l-1 1" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
    megaphone: '<path d="M3 6.5h2.5L11 3.5v9L5.5 9.5H3zM5.5 9.5l1 3.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
  };

  // emoji → [name read by screen readers, shapes, colour class]
  const icons = {
    "✅": ["done", ["ring", "check"], "ok"], "✔": ["passed", ["check"], "ok"],
    "❌": ["failed", ["ring", "cross"], "bad"], "✖": ["failed", ["cross"], "bad"],
    "⏳": ["running", ["hourglass"], "busy"], "⏸": ["waiting", ["ring", "pause"], "wait"],
    "⏭": ["skipped", ["skip"], "muted"], "⛔": ["rejected", ["ring", "bar"], "bad"],
    "↩": ["compensated", ["back"], "muted"], "🚫": ["cancelled", ["ring", "slash"], "muted"],
    "⚠": ["warning", ["warning"], "wait"], "🔴": ["alert", ["dot"], "bad"],
    "🔔": ["alert", ["bell"], "wait"], "🚨": ["incident", ["siren"], "bad"], "📢": ["notice", ["megaphone"], "busy"],
  };
  const iconPattern = new RegExp(`(${Object.keys(icons).join("|")})\\uFE0F?`, "gu");

  function iconSvg(emoji) {
    const [label, shapes, tone] = icons[emoji];
    return `<svg class="icon icon-${tone}" role="img" aria-label="${label}" viewBox="0 0 16 16" width="16" height="16">` +
      shapes.map((shape) => iconShapes[shape]).join("") + "</svg>";
  }

  function withIcons(html) {
    return html.replace(iconPattern, (_, emoji) => iconSvg(emoji));
  }

  function lightMarkdown(text) {
    return withIcons(escapeHtml(text))
      .replace(/&lt;at&gt;(.*?)&lt;\/at&gt;/g, "<strong class=\"mention\">@$1</strong>")
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\n/g, "<br>");
  }

  // ---- cards: the official adaptivecards renderer ----

  const hostConfig = window.AdaptiveCards && new AdaptiveCards.HostConfig({
    // The renderer's font set needs both entries; Monospace is used for step timings.
    fontTypes: {
      default: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
      monospace: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
    },
    actions: { maxActions: 5, buttonSpacing: 8, actionsOrientation: "horizontal" },
  });

  if (window.AdaptiveCards) {
    // Escaping first makes the renderer's innerHTML safe; mentions show as @Name.
    AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
      result.outputHtml = lightMarkdown(text);
      result.didProcess = true;
    };
  }

  function renderCard(cardJson, messageId) {
    const holder = document.createElement("div");
    holder.className = "card";
    if (!window.AdaptiveCards) {
      holder.textContent = cardJson.fallbackText ?? "(card: the adaptivecards renderer is not installed; build with npm available)";
      return holder;
    }
    try {
      const card = new AdaptiveCards.AdaptiveCard();
      card.hostConfig = hostConfig;
      card.onExecuteAction = (action) => onCardAction(messageId, action);
      card.parse(cardJson);
      const element = card.render();
      if (element) holder.appendChild(element);
    } catch (error) {
      holder.textContent = `Could not render this card: ${error}`;
      holder.classList.add("error");
    }
    return holder;
  }

  // Action.Execute carries its verb; an Action.Submit (fallback) carries it in data.verb.
  // The library has already merged the card's inputs into action.data.
  async function onCardAction(messageId, action) {
    const data = action.data && typeof action.data === "object" ? { ...action.data } : {};
    const verb = action.verb || data.verb;
    if (!verb) {
      addActionReply(messageId, { text: "This button has no verb; nothing was sent.", private: true, isError: true });
      return;
    }
    const user = currentUser();
    const reply = await post(api.actions, { user, messageId, verb, data });
    addActionReply(messageId, { ...reply, user });
  }

  // Appended under the card without re-rendering it, so what was typed into its inputs stays.
  function addActionReply(messageId, reply) {
    const entry = { user: currentUser(), ...reply };
    const replies = state.actionReplies.get(messageId) ?? [];
    replies.push(entry);
    state.actionReplies.set(messageId, replies);
    const element = messageId && ui.list.querySelector(`.message[data-id="${CSS.escape(messageId)}"]`);
    if (!element) {
      addCommandReply(entry);
      return;
    }
    let container = element.querySelector(":scope > .replies");
    if (!container) {
      container = document.createElement("div");
      container.className = "replies";
      element.appendChild(container);
    }
    container.appendChild(replyElement(entry, messageId));
  }

  // ---- the message list ----

  function isVisible(entry) {
    if (entry.kind === "message") {
      const message = state.messages.get(entry.id);
      return !message.private || message.to === currentUser();
    }
    return !entry.reply.private || entry.reply.user === currentUser();
  }

  function replyElement(reply, messageId) {
    const item = document.createElement("div");
    item.className = "reply";
    item.dataset.user = reply.user ?? "";
    if (reply.private) item.classList.add("private");
    if (reply.isError) item.classList.add("error");
    const label = document.createElement("span");
    label.className = "reply-label";
    label.textContent = reply.private ? `DrBot → ${displayName(reply.user)} (only you can see this)` : "DrBot";
    item.appendChild(label);
    if (reply.command) {
      const command = document.createElement("code");
      command.className = "reply-command";
      command.textContent = `${displayName(reply.user)}: ${reply.command}`;
      item.appendChild(command);
    }
    const text = document.createElement("span");
    text.className = "reply-text";
    text.innerHTML = lightMarkdown(reply.text ?? "");
    item.appendChild(text);
    // A card in a reply to a click is that message's current state: its buttons act on the same message.
    if (reply.card) item.appendChild(renderCard(reply.card, messageId ?? null));
    return item;
  }

  function messageElement(message) {
    const item = document.createElement("li");
    item.className = "message";
    item.dataset.id = message.id;
    item.dataset.author = message.author;
    if (message.author === "DrBot") item.classList.add("bot");
    if (message.private) item.classList.add("private");
    if (message.threadId) {
      item.classList.add("in-thread");
      item.dataset.thread = message.threadId;
    }

    const meta = document.createElement("div");
    meta.className = "meta";
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = message.author === "DrBot" ? "DrBot" : displayName(message.author);
    const time = document.createElement("time");
    time.dateTime = message.at ?? "";
    time.title = message.at ?? "";
    const at = message.at ? new Date(message.at) : null;
    time.textContent = at && !Number.isNaN(at.getTime()) ? at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "";
    meta.append(author, time);
    if (message.private) meta.append(tag("private", `only visible to ${displayName(message.to)}`));
    if (message.threadId) meta.append(tag("thread", "in thread"));
    item.appendChild(meta);

    if (message.text) {
      const text = document.createElement("div");
      text.className = "text";
      text.innerHTML = lightMarkdown(message.text);
      item.appendChild(text);
    }
    if (message.card) item.appendChild(renderCard(message.card, message.id));

    const visibleReplies = (state.actionReplies.get(message.id) ?? [])
      .filter((reply) => !reply.private || reply.user === currentUser());
    if (visibleReplies.length > 0) {
      const replies = document.createElement("div");
      replies.className = "replies";
      visibleReplies.forEach((reply) => replies.appendChild(replyElement(reply, message.id)));
      item.appendChild(replies);
    }
    return item;
  }

  function tag(kind, text) {
    const span = document.createElement("span");
    span.className = `tag ${kind}`;
    span.textContent = text;
    return span;
  }

  function entryElement(entry) {
    if (entry.kind === "message") return messageElement(state.messages.get(entry.id));
    const item = document.createElement("li");
    item.className = "command-reply";
    item.appendChild(replyElement(entry.reply));
    return item;
  }

  function renderAll() {
    const nearBottom = isNearBottom();
    ui.list.replaceChildren(...state.timeline.filter(isVisible).map(entryElement));
    updateEmpty();
    if (nearBottom) scrollToBottom();
  }

  function replaceMessageElement(message) {
    const existing = ui.list.querySelector(`.message[data-id="${CSS.escape(message.id)}"]`);
    const visible = isVisible({ kind: "message", id: message.id });
    if (existing && visible) existing.replaceWith(messageElement(message));
    else if (existing) existing.remove();
    else if (visible) renderAll();
    updateEmpty();
  }

  // A message with a known id replaces the old one where it stands; a new one goes to the end.
  function upsert(message) {
    if (!message || typeof message.id !== "string") return;
    const known = state.messages.get(message.id);
    if (known && JSON.stringify(known) === JSON.stringify(message)) return;
    if (known) {
      state.messages.set(message.id, message);
      replaceMessageElement(message);
      return;
    }
    state.messages.set(message.id, message);
    const entry = { kind: "message", id: message.id };
    state.timeline.push(entry);
    if (isVisible(entry)) {
      const nearBottom = isNearBottom();
      ui.list.appendChild(entryElement(entry));
      if (nearBottom) scrollToBottom();
    }
    updateEmpty();
  }

  function addCommandReply(reply) {
    const entry = { kind: "reply", reply };
    state.timeline.push(entry);
    ui.list.appendChild(entryElement(entry));
    updateEmpty();
    scrollToBottom();
  }

  function updateEmpty() {
    ui.empty.hidden = ui.list.children.length > 0;
  }

  function isNearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
  }

  function scrollToBottom() {
    window.scrollTo(0, document.body.scrollHeight);
  }

  // ---- HTTP ----

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  // Posts and turns any outcome into the reply shape, so refusals and failures are shown too.
  async function post(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        // The page's own header: the bot refuses changes from other sites, which cannot send it.
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-DrBot-Local": "1" },
        body: JSON.stringify(body),
      });
      const payload = await response.json().catch(() => null);
      if (response.ok && payload && payload.reply) return payload.reply;
      const reason = payload?.reply?.text ?? payload?.detail ?? payload?.title ?? `HTTP ${response.status}`;
      return { text: reason, private: true, card: null, isError: true };
    } catch (error) {
      return { text: `Could not reach DrBot: ${error.message}`, private: true, card: null, isError: true };
    }
  }

  async function loadMessages() {
    const messages = await getJson(api.messages);
    (Array.isArray(messages) ? messages : []).forEach(upsert);
  }

  // ---- live updates: EventSource reconnects by itself; after any reconnect the list is fetched
  // again, so messages sent while the connection was down are not missed. ----

  let events = null;
  let retryDelay = 1000;

  function connect() {
    setConnection("connecting", "connecting…");
    events = new EventSource(api.events);
    events.addEventListener("open", () => {
      retryDelay = 1000;
      setConnection("live", "live");
      loadMessages().catch((error) => setConnection("error", `could not load messages: ${error.message}`));
    });
    events.addEventListener("message", (event) => {
      try {
        upsert(JSON.parse(event.data));
      } catch (error) {
        console.warn("ignored an event that is not a message", error);
      }
    });
    events.addEventListener("error", () => {
      if (events.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered with an error): retry with a growing delay.
        events.close();
        setConnection("offline", `offline, retrying in ${Math.round(retryDelay / 1000)} s`);
        setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 15000);
      } else {
        setConnection("connecting", "reconnecting…");
      }
    });
  }

  function setConnection(kind, text) {
    ui.connection.dataset.state = kind;
    ui.connection.textContent = text;
  }

  // ---- people and commands ----

  async function loadPeople() {
    const people = await getJson(api.people);
    state.people = Array.isArray(people) ? people : [];
    ui.person.replaceChildren(...state.people.map((person) => {
      const option = document.createElement("option");
      option.value = person.name;
      const roles = (person.roles ?? []).join(", ");
      option.textContent = roles ? `${person.displayName} (${roles})` : person.displayName;
      return option;
    }));
    const wanted = new URLSearchParams(location.search).get("as") ?? localStorage.getItem("drbot.as");
    if (wanted && state.people.some((p) => p.name === wanted)) ui.person.value = wanted;
  }

  async function loadChannelName() {
    try {
      const channel = await getJson(api.channel);
      if (channel && typeof channel.name === "string" && channel.name) {
        ui.channel.textContent = channel.name;
        document.title = `DrBot · ${channel.name}`;
      }
    } catch {
      // Optional endpoint: the default name stays.
    }
  }

  ui.person.addEventListener("change", () => {
    localStorage.setItem("drbot.as", currentUser());
    renderAll();
  });

  ui.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = ui.command.value.trim();
    const user = currentUser();
    if (!text) return;
    if (!user) {
      addCommandReply({ text: "Choose who you are in \"Act as\" first.", private: true, isError: true, user });
      return;
    }
    ui.send.disabled = true;
    try {
      const reply = await post(api.messages, { user, text });
      ui.command.value = "";
      addCommandReply({ ...reply, user, command: text });
    } finally {
      ui.send.disabled = false;
      ui.command.focus();
    }
  });

  async function start() {
    updateEmpty();
    try {
      await loadPeople();
    } catch (error) {
      setConnection("error", `could not load people: ${error.message}`);
    }
    loadChannelName();
    // Loaded here and again on every (re)connect of the event stream, so a broken stream still
    // shows the list and a reconnect fills any gap; upsert makes the repeats harmless.
    loadMessages().catch((error) => setConnection("error", `could not load messages: ${error.message}`));
    connect();
  }

  start();
})();

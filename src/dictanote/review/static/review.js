/* dictanote review page: move and edit sentences, save with a version check, finalize.
   Served by dictanote itself; no inline script runs (the Content-Security-Policy forbids it).
   Every change carries the page's CSRF token. Never puts note text anywhere but the page and the server. */
"use strict";

(function () {
  const csrf = (document.querySelector('meta[name="dictanote-csrf"]') || {}).content || "";

  function setText(el, text) { if (el) el.textContent = text; }

  async function post(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
    } catch (err) {
      return { ok: false, status: 0, error: "The review server cannot be reached. Is `dictanote review` still running?" };
    }
    let data = {};
    try { data = await response.json(); } catch (err) { data = {}; }
    if (!response.ok) {
      return { ok: false, status: response.status, error: data.error || ("The server answered " + response.status) };
    }
    return Object.assign({ ok: true, status: response.status }, data);
  }

  /* --- copy the rendered note (draft and note pages) ------------------------------ */
  function setupCopy() {
    const button = document.getElementById("copy-note");
    const area = document.getElementById("rendered-note");
    const status = document.getElementById("copy-status");
    if (!button || !area) return null;
    async function copy() {
      try {
        if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
        await navigator.clipboard.writeText(area.value);
        setText(status, "Copied to the clipboard.");
      } catch (err) {
        area.hidden = false;
        area.focus();
        area.select();
        setText(status, "The browser did not allow copying: the note is selected below, press Ctrl+C.");
      }
    }
    return copy;
  }

  /* --- the draft page ------------------------------------------------------------- */
  function setupDraft(root) {
    const api = root.dataset.api;
    const banner = document.getElementById("banner");
    const saveStatus = document.getElementById("save-status");
    let dirty = false;
    let busy = false;

    function version() { return parseInt(root.dataset.version, 10); }
    function lists() { return Array.from(root.querySelectorAll("ol.sentences")); }
    function markDirty() { dirty = true; setText(saveStatus, "Unsaved changes"); }

    function showBanner(message, conflict) {
      banner.replaceChildren();
      const p = document.createElement("p");
      p.textContent = message;
      banner.appendChild(p);
      if (conflict) {
        const reload = document.createElement("button");
        reload.type = "button";
        reload.id = "reload";
        reload.textContent = "Reload the latest version";
        reload.addEventListener("click", function () { dirty = false; window.location.reload(); });
        banner.appendChild(reload);
        banner.classList.add("conflict");
      }
      banner.hidden = false;
    }

    function failed(result) {
      showBanner(result.error, result.status === 409);
      setText(saveStatus, result.status === 409 ? "Not saved: reload needed" : "Not saved");
    }

    /* moving */
    function settle(li, list) {
      // The clinician placed it: no longer an uncertain placement.
      li.classList.remove("low");
      li.dataset.confidence = "1.0";
      li.removeAttribute("title");
      const flag = li.querySelector(".low-flag");
      if (flag) flag.remove();
      const select = li.querySelector("select.move");
      if (select) select.value = list.dataset.field;
      markDirty();
    }

    function moveTo(li, list, before) {
      const from = li.closest("ol.sentences");
      list.insertBefore(li, before || null);
      if (from !== list) settle(li, list);
      else markDirty();
    }

    function moveToField(li, fieldId) {
      const list = root.querySelector('ol.sentences[data-field="' + CSS.escape(fieldId) + '"]');
      if (list) moveTo(li, list, null);
    }

    root.addEventListener("change", function (event) {
      const select = event.target.closest("select.move");
      if (select && select.value.charAt(0) === "@") {
        const li = select.closest("li.sentence");
        select.value = li.closest("ol.sentences").dataset.field;
        moveToRecord(li);
      } else if (select) {
        const li = select.closest("li.sentence");
        moveToField(li, select.value);
        li.focus();
      } else if (event.target.closest(".facts-edit")) {
        markDirty();
      }
    });

    root.addEventListener("input", function (event) {
      if (event.target.closest(".text") || event.target.closest(".facts-edit")) markDirty();
    });

    root.addEventListener("paste", function (event) {
      const text = event.target.closest(".text");
      if (!text) return;
      event.preventDefault();
      const plain = (event.clipboardData.getData("text/plain") || "").replace(/\s+/g, " ");
      document.execCommand("insertText", false, plain);
    });

    root.addEventListener("keydown", function (event) {
      const li = event.target.closest && event.target.closest("li.sentence");
      if (!li) return;
      const inText = !!event.target.closest(".text");
      const key = event.key;
      const plainU = !inText && event.target === li && key === "u" && !event.altKey && !event.ctrlKey && !event.metaKey;
      if (plainU || (event.altKey && !event.ctrlKey && event.code === "KeyZ")) {
        event.preventDefault();
        undoCorrection(li, inText);
        return;
      }
      if (!inText && event.target === li && key === "c" && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        confirmWords(li);
        return;
      }
      if (inText && event.altKey && !event.ctrlKey && key === "Enter") {
        event.preventDefault();
        splitAt(li);
        return;
      }
      if (event.altKey && !event.ctrlKey && event.code === "KeyJ") {
        event.preventDefault();
        mergeNext(li, inText);
        return;
      }
      if (event.altKey && !event.ctrlKey && event.code === "KeyP") {
        event.preventDefault();
        moveToRecord(li);
        return;
      }
      if (event.altKey && (key === "ArrowUp" || key === "ArrowDown")) {
        event.preventDefault();
        const all = lists();
        const here = li.closest("ol.sentences");
        const index = all.indexOf(here);
        if (event.shiftKey) {
          if (key === "ArrowUp" && li.previousElementSibling) moveTo(li, here, li.previousElementSibling);
          if (key === "ArrowDown" && li.nextElementSibling) moveTo(li, here, li.nextElementSibling.nextElementSibling);
        } else if (key === "ArrowUp" && index > 0) {
          moveTo(li, all[index - 1], null); // to the end of the previous field
        } else if (key === "ArrowDown" && index < all.length - 1) {
          moveTo(li, all[index + 1], all[index + 1].firstElementChild); // to the start of the next field
        }
        (inText ? li.querySelector(".text") : li).focus();
        announce(li);
        return;
      }
      if (!inText && (key === "Enter" || key === "F2") && event.target === li) {
        event.preventDefault();
        const text = li.querySelector(".text");
        text.focus();
        const range = document.createRange();
        range.selectNodeContents(text);
        range.collapse(false);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      } else if (inText && (key === "Escape" || key === "Enter")) {
        event.preventDefault(); // a sentence is one line; Enter or Esc leaves its words
        li.focus();
      }
    });

    function announce(li) {
      const list = li.closest("ol.sentences");
      const label = root.querySelector("#label-" + CSS.escape(list.dataset.field));
      setText(saveStatus, "Moved to " + (label ? label.textContent : list.dataset.field) + " (unsaved)");
    }

    /* drag and drop, by the handle */
    let dragged = null;
    root.addEventListener("dragstart", function (event) {
      const handle = event.target.closest && event.target.closest(".handle");
      if (!handle) return;
      dragged = handle.closest("li.sentence");
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "sentence");
      if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(dragged, 10, 10);
    });
    root.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      lists().forEach(function (l) { l.classList.remove("drop-target"); });
    });
    function dropList(event) {
      const field = event.target.closest && event.target.closest("section.field");
      return field ? field.querySelector("ol.sentences") : null;
    }
    root.addEventListener("dragover", function (event) {
      const list = dropList(event);
      if (!dragged || !list) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      lists().forEach(function (l) { l.classList.toggle("drop-target", l === list); });
    });
    root.addEventListener("drop", function (event) {
      const list = dropList(event);
      if (!dragged || !list) return;
      event.preventDefault();
      let before = null;
      for (const item of list.children) {
        const box = item.getBoundingClientRect();
        if (item !== dragged && event.clientY < box.top + box.height / 2) { before = item; break; }
      }
      const li = dragged;
      moveTo(li, list, before);
      li.focus();
      announce(li);
    });

    /* splitting at the cursor, merging with the next: every word kept, marks follow on save */
    function keysOf(li) {
      if (li.dataset.keys) return JSON.parse(li.dataset.keys);
      return li.dataset.key ? [li.dataset.key] : [];
    }

    function splitAt(li) {
      const text = li.querySelector(".text");
      const sel = window.getSelection();
      if (!sel || !sel.rangeCount || !text.contains(sel.focusNode)) {
        setText(saveStatus, "Put the cursor in the sentence's words where it should split (Alt+Enter)");
        return;
      }
      const tail = document.createRange();
      tail.setStart(sel.focusNode, sel.focusOffset);
      tail.setEnd(text, text.childNodes.length);
      const head = document.createRange();
      head.setStart(text, 0);
      head.setEnd(sel.focusNode, sel.focusOffset);
      if (!head.toString().trim() || !tail.toString().trim()) {
        setText(saveStatus, "Nothing to split off here: put the cursor between two words");
        return;
      }
      const second = li.cloneNode(true);
      const rest = second.querySelector(".text");
      rest.replaceChildren(tail.extractContents());
      text.normalize();
      second.dataset.paragraph = "0";
      second.classList.remove("dragging");
      li.after(second);
      second.querySelector("select.move").value = li.closest("ol.sentences").dataset.field;
      if (goalsOf(second)) { // the first part keeps the goal links
        setGoals(second, []);
        const suggestion = second.querySelector(".goal-suggest");
        if (suggestion) suggestion.remove();
      }
      rest.focus();
      const caret = document.createRange();
      caret.setStart(rest, 0);
      caret.collapse(true);
      sel.removeAllRanges();
      sel.addRange(caret);
      markDirty();
      setText(saveStatus, "Split in two (unsaved)");
    }

    function mergeNext(li, inText) {
      const next = li.nextElementSibling;
      if (!next) { setText(saveStatus, "No next sentence in this field to merge with"); return; }
      const text = li.querySelector(".text");
      const other = next.querySelector(".text");
      text.appendChild(document.createTextNode(" "));
      while (other.firstChild) text.appendChild(other.firstChild);
      text.normalize();
      li.dataset.keys = JSON.stringify(keysOf(li).concat(keysOf(next)));
      const linked = goalsOf(li);
      if (linked) setGoals(li, linked.concat((goalsOf(next) || []).filter(function (g) { return linked.indexOf(g) < 0; })));
      li.dataset.confirmed = li.dataset.confirmed === "1" && next.dataset.confirmed === "1" ? "1" : "";
      next.remove();
      (inText ? text : li).focus();
      markDirty();
      setText(saveStatus, "Merged with the next sentence (unsaved)");
    }

    async function moveToRecord(li) {
      const target = root.dataset.moveTo;
      if (!target) { setText(saveStatus, "This private note has no clinical draft to move a sentence to"); return; }
      if (!(await saveIfDirty())) return;
      if (!li.isConnected || !li.dataset.key) { setText(saveStatus, "Save the sentence first, then move it"); return; }
      setText(saveStatus, "Moving…");
      const result = await post(api + "/move", { version: version(), key: li.dataset.key });
      if (!result.ok) { failed(result); return; }
      dirty = false;
      window.location.reload();
    }

    root.addEventListener("mousedown", function (event) {
      // the Split button must not take the cursor out of the sentence's words
      if (event.target.closest && event.target.closest(".sentence-tools button")) event.preventDefault();
    });

    root.addEventListener("click", function (event) {
      const button = event.target.closest && event.target.closest(".sentence-tools button");
      if (!button) return;
      const li = button.closest("li.sentence");
      if (button.classList.contains("split")) splitAt(li);
      else mergeNext(li, false);
    });

    /* goal links: chips of the plan goals a sentence addresses, a suggestion to confirm, a list of the rest */
    const fieldsBox = root.querySelector(".fields");
    const planGoals = {};
    JSON.parse((fieldsBox && fieldsBox.dataset.goals) || "[]").forEach(function (g) { planGoals[g.id] = g.text; });

    function goalsOf(li) {
      const box = li.querySelector(".goal-links");
      return box ? JSON.parse(box.dataset.goals || "[]") : null;
    }

    function setGoals(li, ids) {
      const box = li.querySelector(".goal-links");
      if (!box) return;
      box.dataset.goals = JSON.stringify(ids);
      const chips = box.querySelector(".goal-chips");
      chips.replaceChildren();
      ids.forEach(function (id) {
        const chip = document.createElement("span");
        chip.className = "goal-chip";
        chip.dataset.goal = id;
        chip.appendChild(document.createTextNode(id + " " + (planGoals[id] || "") + " "));
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "goal-remove";
        remove.setAttribute("aria-label", "Remove the link to goal " + id);
        remove.textContent = "×";
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      const suggestion = box.querySelector(".goal-suggest");
      if (suggestion && ids.indexOf(suggestion.dataset.goal) >= 0) suggestion.remove();
    }

    async function linkGoal(li, id, focusChip) {
      const ids = goalsOf(li) || [];
      if (ids.indexOf(id) < 0) ids.push(id);
      setGoals(li, ids);
      markDirty();
      const chip = li.querySelector('.goal-chip[data-goal="' + CSS.escape(id) + '"] .goal-remove');
      if (focusChip && chip) chip.focus();
      if (await save()) setText(saveStatus, "Linked to goal " + id + " (saved, version " + version() + ")");
    }

    root.addEventListener("click", function (event) {
      const link = event.target.closest && event.target.closest(".goal-link");
      const remove = event.target.closest && event.target.closest(".goal-remove");
      if (!link && !remove) return;
      const li = event.target.closest("li.sentence");
      if (link) { linkGoal(li, link.closest(".goal-suggest").dataset.goal, true); return; }
      const id = remove.closest(".goal-chip").dataset.goal;
      setGoals(li, (goalsOf(li) || []).filter(function (g) { return g !== id; }));
      li.focus();
      markDirty();
      save();
    });

    root.addEventListener("change", function (event) {
      const select = event.target.closest && event.target.closest("select.goal-select");
      if (!select || !select.value) return;
      const li = select.closest("li.sentence");
      const id = select.value;
      select.value = "";
      linkGoal(li, id, false);
    });

    /* adding a sentence */
    root.addEventListener("click", function (event) {
      const add = event.target.closest(".add-sentence");
      if (!add) return;
      const template = document.getElementById("sentence-template");
      const li = template.content.firstElementChild.cloneNode(true);
      const list = root.querySelector('ol.sentences[data-field="' + CSS.escape(add.dataset.field) + '"]');
      list.appendChild(li);
      li.querySelector("select.move").value = list.dataset.field;
      li.querySelector(".text").focus();
      markDirty();
    });

    /* saving */
    function collect() {
      const fields = lists().map(function (list) {
        return {
          id: list.dataset.field,
          sentences: Array.from(list.querySelectorAll("li.sentence")).map(function (li) {
            const span = li.dataset.span ? li.dataset.span.split(",").map(Number) : null;
            const keys = keysOf(li);
            return {
              key: keys[0] || null, // names the stored sentence, whose word marks follow the words
              keys: keys.length > 1 ? keys : undefined, // a merge: every stored sentence it joined
              text: li.querySelector(".text").textContent,
              origin: li.dataset.origin,
              confidence: parseFloat(li.dataset.confidence),
              span: span,
              role: li.dataset.role || null,
              paragraph: li.dataset.paragraph === "1",
              confirmed: li.dataset.confirmed === "1", // the clinician checked its marked words: drop the marks
              goals: goalsOf(li) || undefined, // the plan goals it is linked to (left out: the server keeps them)
            };
          }),
        };
      });
      const session = {};
      root.querySelectorAll(".facts-edit input").forEach(function (input) {
        session[input.name] = input.value.trim() === "" ? null : input.value.trim();
      });
      return { version: version(), fields: fields, session: session };
    }

    /* words to check: shown inline, a correction undone with one key */
    function renderWords(span, words) {
      span.replaceChildren();
      words.forEach(function (w) {
        if (!w.kind) { span.appendChild(document.createTextNode(w.text)); return; }
        const mark = document.createElement("span");
        mark.className = w.kind === "corrected" ? "w-corrected" : "w-uncertain";
        mark.textContent = w.text;
        mark.title = w.title;
        if (w.kind === "corrected") mark.dataset.original = w.original;
        else mark.dataset.probability = w.probability;
        span.appendChild(mark);
      });
    }

    function refreshWords(saved) {
      if (!saved) return;
      lists().forEach(function (list) {
        const items = saved[list.dataset.field] || [];
        Array.from(list.querySelectorAll("li.sentence")).forEach(function (li, i) {
          const item = items[i];
          delete li.dataset.keys;
          if (!item) { li.dataset.key = ""; return; }
          li.dataset.key = item.key;
          const span = li.querySelector(".text");
          const savedText = item.words.map(function (w) { return w.text; }).join("");
          // Words typed while the save was on its way (or being typed now) are left alone.
          if (span !== document.activeElement && span.textContent === savedText) renderWords(span, item.words);
        });
      });
    }

    function correctionAt(li, inText) {
      const sel = window.getSelection();
      if (inText && sel && sel.anchorNode) {
        const node = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
        const here = node && node.closest(".w-corrected");
        if (here && li.contains(here)) return here;
      }
      return li.querySelector(".w-corrected");
    }

    function undoCorrection(li, inText) {
      const mark = correctionAt(li, inText);
      if (!mark) { setText(saveStatus, "No correction to undo in this sentence"); return; }
      const heard = document.createTextNode(mark.dataset.original || "");
      mark.replaceWith(heard);
      li.querySelector(".text").normalize();
      markDirty();
      if (busy) { setText(saveStatus, "Correction undone (unsaved: a save is running; press Ctrl+S)"); return; }
      save();
    }

    function confirmWords(li) {
      const marks = Array.from(li.querySelectorAll(".w-corrected, .w-uncertain"));
      if (!marks.length) { setText(saveStatus, "No marked words in this sentence"); return; }
      marks.forEach(function (m) { m.replaceWith(document.createTextNode(m.textContent)); });
      li.querySelector(".text").normalize();
      li.dataset.confirmed = "1";
      markDirty();
      if (busy) { setText(saveStatus, "Words confirmed (unsaved: a save is running; press Ctrl+S)"); return; }
      save();
    }

    root.addEventListener("focusin", function (event) {
      const li = event.target.closest && event.target.closest("li.sentence");
      const note = document.getElementById("word-note");
      if (!li || !note) return;
      const marks = Array.from(li.querySelectorAll(".w-corrected, .w-uncertain"));
      setText(note, marks.map(function (m) { return "“" + m.textContent + "”: " + m.title; }).join(" · "));
    });

    function refresh(state) {
      root.dataset.version = String(state.version);
      setText(document.getElementById("version"), String(state.version));
      const area = document.getElementById("rendered-note");
      if (area && typeof state.rendered === "string") area.value = state.rendered;
      if (state.open_findings) listOpen(state.open_findings);
      root.querySelectorAll("ul.finding-list").forEach(function (ul) {
        const items = ul.dataset.field ? (state.findings[ul.dataset.field] || []) : (state.general_findings || []);
        ul.replaceChildren();
        items.forEach(function (f) { ul.appendChild(findingItem(f)); });
      });
    }

    /* one finding as the page lists it (under its field, and in the finalize dialog) */
    function findingItem(f) {
      const li = document.createElement("li");
      li.className = "finding sev-" + f.severity;
      li.dataset.code = f.code;
      const strong = document.createElement("strong");
      strong.textContent = f.severity;
      li.appendChild(strong);
      li.appendChild(document.createTextNode(" " + f.message));
      return li;
    }

    async function save() {
      if (busy) return false;
      busy = true;
      setText(saveStatus, "Saving…");
      const result = await post(api + "/save", collect());
      busy = false;
      if (!result.ok) { failed(result); return false; }
      dirty = false;
      // Emptied sentences are gone on the server: drop them here too, before the saved ones are matched.
      root.querySelectorAll("li.sentence").forEach(function (li) {
        if (!li.querySelector(".text").textContent.trim()) li.remove();
      });
      refresh(result);
      refreshWords(result.sentences);
      banner.hidden = true;
      setText(saveStatus, "Saved (version " + result.version + ")");
      return true;
    }

    async function saveIfDirty() { return dirty ? save() : true; }

    document.getElementById("save").addEventListener("click", save);
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
    });

    /* finalizing: a dialog that lists the open warnings and errors (as `drafts finalize` prints them) */
    const dialog = document.getElementById("finalize-dialog");

    function listOpen(items) {
      const ul = document.getElementById("finalize-findings");
      ul.replaceChildren();
      items.forEach(function (f) { ul.appendChild(findingItem(f)); });
      setText(document.getElementById("finalize-summary"), items.length
        ? "Open checks (" + items.length + "): finalize anyway, or cancel and fix them first."
        : "No open warnings or errors.");
    }

    async function latestState() {
      try {
        const response = await fetch(api, { credentials: "same-origin" });
        return response.ok ? await response.json() : null;
      } catch (err) { return null; }
    }

    let thenNext = null; // Sign and next: where to go once signed (else the signed note)

    async function openFinalize(next) {
      thenNext = next;
      const signer = document.getElementById("signed-by").value.trim();
      if (!signer) { showBanner("Enter the name of the clinician who signs the note.", false); return; }
      if (!(await saveIfDirty())) return;
      const state = await latestState(); // findings as of now (the documentation window moves on)
      if (state) { refresh(state); listOpen(state.open_findings || []); }
      setText(document.getElementById("finalize-signer"), signer);
      dialog.showModal();
      document.getElementById("finalize-cancel").focus();
    }

    document.getElementById("finalize").addEventListener("click", function () { openFinalize(null); });
    const signNext = document.getElementById("sign-next");
    if (signNext) signNext.addEventListener("click", function () { openFinalize(signNext.dataset.next); });
    document.addEventListener("keydown", function (event) {
      // Ctrl+Enter: Sign and next; in the open dialog, sign
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key !== "Enter" || !signNext) return;
      event.preventDefault();
      if (dialog.open) document.getElementById("finalize-confirm").click();
      else openFinalize(signNext.dataset.next);
    });

    document.getElementById("finalize-cancel").addEventListener("click", function () { dialog.close(); });

    document.getElementById("finalize-confirm").addEventListener("click", async function () {
      const signer = document.getElementById("signed-by").value.trim();
      dialog.close();
      const result = await post(api + "/finalize", { version: version(), signed_by: signer });
      if (!result.ok) { failed(result); return; }
      dirty = false;
      window.location.assign(thenNext || result.url);
    });

    document.getElementById("discard").addEventListener("click", async function () {
      if (!window.confirm("Discard this draft? Its text is deleted; the audit log keeps only that it was discarded.")) return;
      const result = await post(api + "/discard", { version: version() });
      if (!result.ok) { failed(result); return; }
      dirty = false;
      window.location.assign(result.url);
    });

    setupSession();

    /* the session panel: the client (chosen from the list, never preselected), date and time of service,
       "did the session happen?"; saved apart from the sentences, then the page reloads to show it */
    function setupSession() {
      const status = document.getElementById("session-status");
      async function saveSession(body) {
        if (!(await saveIfDirty())) return;
        body.version = version();
        setText(status, "Saving…");
        const result = await post(api + "/session", body);
        if (!result.ok) { showBanner(result.error, result.status === 409); setText(status, "Not saved"); return; }
        dirty = false;
        window.location.reload();
      }
      const choose = document.getElementById("choose-client");
      if (choose) choose.addEventListener("click", function () {
        const pick = document.getElementById("client-pick");
        if (!pick.value) { setText(status, "Choose a client of the list first"); pick.focus(); return; }
        saveSession({ client_id: pick.value });
      });
      const change = document.getElementById("change-client");
      if (change) change.addEventListener("click", function () {
        document.getElementById("client-picker").hidden = false;
        document.getElementById("client-pick").focus();
      });
      const facts = document.getElementById("save-session");
      if (facts) facts.addEventListener("click", function () {
        const body = {};
        const date = document.getElementById("service-date").value.trim();
        const time = document.getElementById("service-time").value.trim();
        if (date) body.date = date;
        if (time) body.time = time;
        body.attendance = document.getElementById("attendance").value;
        body.attendance_reason = document.getElementById("attendance-reason").value.trim();
        saveSession(body);
      });
    }

    const switchButton = document.getElementById("switch-format");
    if (switchButton) {
      switchButton.addEventListener("click", async function () {
        const target = document.getElementById("format-select").value;
        if (!(await saveIfDirty())) return;
        const result = await post(api + "/format", { version: version(), format: target });
        if (!result.ok) { failed(result); return; }
        dirty = false;
        window.location.assign(result.url);
      });
    }

    const copy = setupCopy();
    if (copy) {
      document.getElementById("copy-note").addEventListener("click", async function () {
        if (!(await saveIfDirty())) return;
        copy();
      });
    }

    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  /* --- today: the finalize block (j/k or arrows move between drafts, Enter opens one) ------------- */
  function setupToday(root) {
    const links = Array.from(root.querySelectorAll("tr[data-draft] a.open"));
    if (!links.length) return;
    links[0].focus();
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, select, textarea")) return;
      const step = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      const here = links.indexOf(document.activeElement);
      const next = here < 0 ? 0 : Math.min(links.length - 1, Math.max(0, here + step));
      links[next].focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("draft");
    if (root) { setupDraft(root); return; }
    const today = document.getElementById("today");
    if (today) setupToday(today);
    const copy = setupCopy();
    if (copy) document.getElementById("copy-note").addEventListener("click", copy);
  });
})();

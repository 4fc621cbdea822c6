// Demo plugin: the task list. One page for two apps: global scope shows my tasks, patient scope
// shows this patient's tasks (the scope comes from the launch URL). Loaded with the UMD build.
(function () {
  'use strict';
  var C = window.CanvasCompanion;
  var $ = function (id) { return document.getElementById(id); };
  var esc = function (value) { return String(value == null ? '' : value).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };

  // Scope from the URL; data-companion-scope on <html> hides the page's header in patient scope (see plugin.css).
  var context = C.applyScope(C.getContext());
  C.configure({ debug: context.params.get('debug') === '1' });
  // Not a Canvas message: the harness logs it; it waits in the queue until the port arrives.
  C.postToHost({ type: 'READY', page: 'tasks', scope: context.scope });

  var query = context.scope === 'global' ? {} : { patient_id: context.patientId };
  var tasks = [];
  var pendingAdds = [];
  var pendingStatus = {};
  var live = null;
  var loading = null;
  var again = false;

  var LABELS = { connecting: 'Connecting', open: 'Live', reconnecting: 'Reconnecting', unauthorized: 'Signed out', closed: 'Offline' };
  function showStatus(status) {
    $('live').dataset.status = status;
    $('live').textContent = LABELS[status] || status;
  }

  function showError(error) {
    var box = $('alert');
    var title;
    var text;
    if (C.isCompanionError(error, 'UNAUTHORIZED')) {
      title = 'Your Canvas session has ended';
      text = 'Sign in again (in the harness: the shell menu, "Sign in again"), then reopen this app.';
    } else if (C.isCompanionError(error, 'NETWORK_ERROR') || C.isCompanionError(error, 'TIMEOUT')) {
      title = 'Canvas is not answering';
      text = 'Check the connection; the list refreshes by itself when the live channel reconnects.';
    } else if (C.isCompanionError(error, 'NOT_FOUND')) {
      title = 'Patient not found';
      text = 'This patient no longer exists or you may not see them.';
    } else if (error instanceof C.CompanionError) {
      title = 'Something went wrong (' + error.code + ')';
      text = 'Try Refresh.';
    } else {
      title = 'Unexpected error';
      text = 'Try Refresh.';
    }
    box.className = 'alert';
    box.innerHTML = '<b>' + esc(title) + '</b>' + esc(text) + '<small>' + esc(error && error.message) + '</small>';
    box.hidden = false;
  }
  function clearError() { $('alert').hidden = true; }

  // Task.due is a date-time (or null), as on Canvas: the day in words, then the time.
  function dueText(due) {
    if (!due) return 'No due date';
    var when = new Date(due);
    var midnight = function (d) { return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(); };
    var days = Math.round((midnight(when) - midnight(new Date())) / 86400000);
    var time = when.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
    var date = when.toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
    if (when.getTime() < Date.now()) return '<span class="due-late">Overdue since ' + esc(days === 0 ? time : date) + '</span>';
    if (days === 0) return 'Due today, ' + esc(time);
    if (days === 1) return 'Due tomorrow, ' + esc(time);
    return 'Due ' + esc(date);
  }

  function render() {
    var now = Date.now();
    // A pending add disappears once the list shows it (or after 15 s, with a hint).
    pendingAdds = pendingAdds.filter(function (p) {
      var landed = tasks.some(function (t) { return t.title === p.title && Date.parse(t.created) >= p.at - 5000; });
      return !landed && now - p.at < 15000;
    });
    var html = pendingAdds.map(function (p) {
      return '<li class="task pending"><span class="check"><input type="checkbox" disabled aria-label="Pending"></span><span class="task-main">' +
        '<span class="task-title">' + esc(p.title) + '</span><span class="task-meta">Waiting for Canvas to apply the effect…</span></span></li>';
    });
    tasks.forEach(function (t) {
      var busy = pendingStatus[t.id] !== undefined;
      // While the change is pending, show where it is going.
      var done = (busy ? pendingStatus[t.id] : t.status) !== 'OPEN';
      var meta = [dueText(t.due)];
      if (context.scope === 'global' && t.patient && C.isValidId(t.patient.id)) {
        // A link that replaces the whole companion page, never just this iframe.
        meta.push('<a target="_top" href="' + esc(C.patientPath(t.patient.id)) + '">' + esc(t.patient.name) + '</a>');
      }
      if (context.scope !== 'global') meta.push(esc(t.assignee ? t.assignee.name : 'Unassigned'));
      html.push('<li class="task' + (done ? ' completed' : '') + (busy ? ' pending' : '') + '" data-id="' + esc(t.id) + '">' +
        '<label class="check"><input type="checkbox" data-id="' + esc(t.id) + '"' + (done ? ' checked' : '') + (busy ? ' disabled' : '') +
        ' aria-label="' + (done ? 'Reopen: ' : 'Complete: ') + esc(t.title) + '"></label>' +
        '<span class="task-main"><span class="task-title">' + esc(t.title) + '</span><span class="task-meta">' + meta.join(' · ') + '</span></span></li>');
    });
    $('tasks').innerHTML = html.join('');
    $('empty').hidden = html.length > 0;
  }

  // One fetch at a time; a request for another while one runs fetches once more afterwards.
  function load() {
    if (loading) {
      again = true;
      return loading;
    }
    loading = C.requestJSON(C.apiUrl('/app/tasks/data.json', { query: query }), { timeout: 8000 })
      .then(function (data) {
        tasks = data.tasks;
        pendingStatus = {};
        clearError();
        render();
        if (!live) startLive(data.channel);
      })
      .catch(showError)
      .then(function () {
        loading = null;
        if (again) {
          again = false;
          load();
        }
      });
    return loading;
  }

  function startLive(channel) {
    // The socket is a hint: on every (re)open and on every message, refetch the list over HTTP.
    live = C.subscribe(channel, function (message) {
      if (message.type === 'tasks_changed') load();
    }, { onOpen: load, onStatus: showStatus, authProbe: C.apiUrl('/app/me') });
    showStatus(live.status);
    $('foot').textContent = 'Plugin ' + C.pluginName() + ' · live channel ' + C.socketUrl(channel);
  }

  $('add').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('title');
    var title = input.value.trim();
    if (!title) return;
    var body = { title: title, patient_id: context.patientId };
    C.requestJSON(C.apiUrl('/app/tasks'), { method: 'POST', body: body }).then(function () {
      // 202: the task exists only once the platform applied the effect; the channel tells us.
      pendingAdds.push({ title: title, at: Date.now() });
      input.value = '';
      clearError();
      render();
      setTimeout(render, 15500);
    }, showError);
  });

  $('tasks').addEventListener('change', function (event) {
    var box = event.target;
    if (!box.dataset || !box.dataset.id) return;
    var id = box.dataset.id;
    pendingStatus[id] = box.checked ? 'COMPLETED' : 'OPEN';
    render();
    C.requestJSON(C.apiUrl('/app/tasks/' + id + '/status'), { method: 'POST', body: { status: pendingStatus[id] } }).catch(function (error) {
      delete pendingStatus[id];
      render();
      showError(error);
    });
  });

  $('refresh').addEventListener('click', function () { load(); });
  $('close').addEventListener('click', function () {
    C.closeModal().then(function (path) {
      if (path === 'window') {
        var box = $('alert');
        box.className = 'alert info';
        box.innerHTML = '<b>No companion to close</b>The host never sent its port, so closeModal() fell back to window.close().';
        box.hidden = false;
      }
    });
  });

  if (!C.isEmbedded()) {
    var box = $('alert');
    box.className = 'alert info';
    box.innerHTML = '<b>Open this page from the companion</b>It is meant to run in the companion\'s modal (npm run demo, then /companion/).';
    box.hidden = false;
  }
  C.whenHostReady({ timeout: 5000 }).then(function () {
    document.documentElement.dataset.host = C.isHostConnected() ? 'connected' : 'none';
  }, function (error) {
    document.documentElement.dataset.host = C.isCompanionError(error, 'HOST_TIMEOUT') ? 'timeout' : 'error';
  });

  // The list loads now, whatever the socket will do (refused, signed out, never connecting): the
  // live channel, subscribed once this answer names it, only says when to load again.
  load();
})();

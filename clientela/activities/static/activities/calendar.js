// The calendar page: FullCalendar fed by the JSON feed, drag and drop and resize sent
// to the move endpoint (which checks the version and double bookings before saving),
// a click on a free slot opening the new appointment form. Its settings come from the
// page's "calendar-config" JSON (no inline script). Times are wall-clock times of the
// user's time zone: the server converts them.
(() => {
  const element = document.getElementById("calendar");
  const settings = document.getElementById("calendar-config");
  if (!element || !settings || !window.FullCalendar) return;
  const config = JSON.parse(settings.textContent);
  const message = document.getElementById("calendar-message");
  const owner = document.getElementById("calendar-owner");
  const narrow = window.matchMedia("(max-width: 575.98px)").matches;
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const names = { dayGridMonth: "month", timeGridWeek: "week", timeGridDay: "day", listWeek: "list" };

  const say = (text, kind) => {
    message.textContent = text;
    message.className = `alert alert-${kind}`;
  };
  const quiet = () => {
    message.textContent = "";
    message.className = "alert d-none";
  };

  // Keep the address in step with what is shown, so a reload or a shared link
  // opens the same view, day and person.
  const remember = (view) => {
    const query = new URLSearchParams({ view: names[view.type] || "week" });
    query.set("date", calendar.formatIso(view.currentStart, true));
    if (owner && owner.value) query.set("owner", owner.value);
    window.history.replaceState(null, "", `?${query}`);
  };

  const move = async (info) => {
    const event = info.event;
    const body = new URLSearchParams({
      kind: event.extendedProps.kind,
      id: event.extendedProps.pk,
      version: event.extendedProps.version,
      start: event.startStr,
      end: event.endStr,
      allDay: event.allDay ? "true" : "false",
    });
    let answer = null;
    try {
      const response = await fetch(config.move, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
        body,
        credentials: "same-origin",
      });
      answer = { ok: response.ok, data: await response.json() };
    } catch {
      answer = { ok: false, data: {} };
    }
    if (answer.ok) {
      event.setExtendedProp("version", answer.data.version);
      say(config.texts.saved, "success");
    } else {
      info.revert();
      say(answer.data.error || config.texts.moveFailed, "danger");
    }
  };

  const calendar = new FullCalendar.Calendar(element, {
    locale: config.locale,
    timeZone: config.timeZone,
    // Without a time-zone plugin the browser's clock is shifted to the user's zone.
    now: () => new Date(Date.now() + config.offsetMinutes * 60000).toISOString().slice(0, 19),
    initialView: config.view || (narrow ? "listWeek" : "timeGridWeek"),
    initialDate: config.date,
    firstDay: 1,
    buttonText: config.buttons,
    allDayText: config.texts.allDay,
    noEventsText: config.texts.empty,
    headerToolbar: narrow
      ? { start: "prev,next", center: "title", end: "today" }
      : { start: "prev,next today", center: "title", end: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
    footerToolbar: narrow ? { center: "listWeek,timeGridDay,dayGridMonth" } : false,
    // A fixed height on a wide screen lets the hour grid open at 8:00 and scroll.
    height: narrow ? "auto" : 760,
    navLinks: true,
    scrollTime: "08:00:00",
    nowIndicator: true,
    slotEventOverlap: false,
    dayMaxEvents: true,
    defaultTimedEventDuration: "00:30:00",
    selectable: Boolean(config.create),
    selectMirror: true,
    events: {
      url: config.events,
      extraParams: () => ({ owner: owner ? owner.value : config.owner }),
      failure: () => say(config.texts.failed, "danger"),
    },
    // An appointment keeps a time; a task may become all-day.
    eventAllow: (span, event) => event.extendedProps.kind === "task" || !span.allDay,
    eventDrop: move,
    eventResize: move,
    eventDragStart: quiet,
    select: (info) => {
      const query = info.allDay
        ? new URLSearchParams({ date: info.startStr })
        : new URLSearchParams({ start: info.startStr, end: info.endStr });
      window.location.assign(`${config.create}?${query}`);
    },
    eventDidMount: (info) => {
      const props = info.event.extendedProps;
      info.el.dataset.kind = props.kind;
      info.el.dataset.pk = props.pk;
      info.el.title = [info.event.title, props.owner, props.location].filter(Boolean).join(" · ");
      if (props.kind === "task") {
        const title = info.el.querySelector(".fc-event-title, .fc-list-event-title a");
        if (title) title.insertAdjacentHTML("afterbegin", '<i class="bi bi-check2-square me-1" aria-hidden="true"></i>');
      }
    },
    datesSet: (info) => remember(info.view),
  });
  calendar.render();

  if (owner) {
    owner.addEventListener("change", () => {
      quiet();
      calendar.refetchEvents();
      remember(calendar.view);
    });
  }
})();

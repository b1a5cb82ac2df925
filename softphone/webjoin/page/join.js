// Pitchline join page: microphone -> WebRTC offer -> WHIP POST -> answer.
// window.pitchlineJoin exposes the state for tests and support.
"use strict";
(() => {
  const token = location.pathname.split("/").pop();
  const el = (id) => document.getElementById(id);
  // Messages in the page's language (<html lang>, chosen by the server).
  const MESSAGES = {
    en: {
      "mic": "Asking your browser for the microphone…",
      "noMic": "We could not use your microphone. Allow microphone access for this page in your browser, then press Try again.",
      "connecting": "Connecting you to the call…",
      "connected": "You are in the call. Others can hear you now.",
      "unstable": "The connection is unstable. Trying to keep you in the call…",
      "failed": "The connection to the call was lost. Ask for a new link to join again.",
      "gone": "This join link no longer works: it was already used or has expired. Ask for a new link.",
      "refused": "The call could not take you in. Press Try again, or ask for a new link.",
      "error": "Something went wrong while connecting. Press Try again.",
      "leaving": "Leaving the call…",
      "left": "You left the call. You can close this page."
    },
    ja: {
      "mic": "ブラウザーにマイクの使用を求めています…",
      "noMic": "マイクを使えませんでした。ブラウザーでこのページのマイクを許可してから、「もう一度試す」を押してください。",
      "connecting": "通話に接続しています…",
      "connected": "通話に参加しました。ほかの参加者にあなたの声が聞こえています。",
      "unstable": "接続が不安定です。通話を続けられるよう試みています…",
      "failed": "通話との接続が切れました。もう一度参加するには新しいリンクを依頼してください。",
      "gone": "この参加リンクは使えません。使用済みか期限切れです。新しいリンクを依頼してください。",
      "refused": "通話に参加できませんでした。「もう一度試す」を押すか、新しいリンクを依頼してください。",
      "error": "接続中に問題が起きました。「もう一度試す」を押してください。",
      "leaving": "通話から退出しています…",
      "left": "通話から退出しました。このページは閉じてかまいません。"
    },
  };
  const M = MESSAGES[document.documentElement.lang] || MESSAGES.en;

  const state = (window.pitchlineJoin = { state: "starting", pc: null, location: null, error: null });
  let stream = null;

  function show(text, phase) {
    el("status").textContent = text;
    state.state = phase;
    document.body.dataset.state = phase;
  }
  function detail(text) {
    el("details").hidden = false;
    el("detail").textContent += text + "\n";
    console.log("[join] " + text);
  }
  function buttons(retry, leave) {
    el("retry").hidden = !retry;
    el("leave").hidden = !leave;
  }

  async function join() {
    buttons(false, false);
    show(M.mic, "microphone");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (e) {
      detail("getUserMedia: " + e);
      show(M.noMic, "no-microphone");
      buttons(true, false);
      return;
    }
    show(M.connecting, "connecting");
    const pc = new RTCPeerConnection({ iceServers: [] });
    state.pc = pc;
    pc.addTransceiver(stream.getAudioTracks()[0], { direction: "sendrecv", streams: [stream] });
    pc.ontrack = (e) => {
      const a = document.createElement("audio");
      a.autoplay = true;
      a.srcObject = e.streams[0] || new MediaStream([e.track]);
      document.body.appendChild(a);
      a.play().catch((err) => detail("play: " + err));
    };
    pc.onconnectionstatechange = () => {
      detail("connection: " + pc.connectionState);
      switch (pc.connectionState) {
        case "connected":
          show(M.connected, "connected");
          buttons(false, true);
          break;
        case "disconnected":
          show(M.unstable, "unstable");
          break;
        case "failed":
          show(M.failed, "failed");
          stop();
          buttons(false, false);
          break;
        case "closed":
          break;
      }
    };
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const resp = await fetch("/whip/" + encodeURIComponent(token), {
        method: "POST",
        headers: { "Content-Type": "application/sdp" },
        body: pc.localDescription.sdp,
      });
      const text = await resp.text();
      if (resp.status !== 201) {
        detail("POST " + resp.status + ": " + text);
        stop();
        if (resp.status === 404 || resp.status === 410) {
          show(M.gone, "link-gone");
        } else {
          show(M.refused, "refused");
          buttons(true, false);
        }
        return;
      }
      state.location = resp.headers.get("Location");
      await pc.setRemoteDescription({ type: "answer", sdp: text });
    } catch (e) {
      detail("join: " + e);
      stop();
      show(M.error, "error");
      buttons(true, false);
    }
  }

  // Non-trickle: wait until every candidate is in the offer.
  function gathered(pc) {
    return new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") resolve();
      });
    });
  }

  function stop() {
    if (state.pc) state.pc.close();
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  async function leave() {
    buttons(false, false);
    show(M.leaving, "leaving");
    const loc = state.location;
    stop();
    if (loc) {
      try {
        await fetch(loc, { method: "DELETE" });
      } catch (e) {
        detail("DELETE: " + e);
      }
    }
    show(M.left, "left");
  }

  // Closing the tab or navigating away tells the call too: Chromium sends
  // neither a DTLS close_notify nor an RTCP BYE then, and the server would
  // only notice when ICE fails half a minute later. keepalive lets the
  // request outlive the page.
  window.addEventListener("pagehide", () => {
    if (state.location && state.state !== "left") {
      fetch(state.location, { method: "DELETE", keepalive: true }).catch(() => {});
      state.state = "left";
    }
  });

  el("retry").addEventListener("click", join);
  el("leave").addEventListener("click", leave);
  join();
})();

// Japanese strings of the dialer's CRM lists
// (spread into ja.ts).
import type { dialerCrmEn } from "./dialercrm.en";

export const dialerCrmJa: Record<keyof typeof dialerCrmEn, string> = {
  "dialer.crmOpen": "CRMのリスト…",
  "crmlists.title": "CRMのリスト",
  "crmlists.loading": "{vendor}のリストを読み込んでいます…",
  "crmlists.none": "CRMが接続されていません。リストに発信するには、設定 → CRMで接続してください。",
  "crmlists.empty": "{vendor}に連絡先リストがありません。",
  "crmlists.size": "{count}件",
  "crmlists.size.one": "{count}件",
  "crmlists.sizeUnknown": "件数不明",
  "crmlists.pull": "取り込む",
  "crmlists.refresh": "更新",
  "crmlists.pullName": "{name}を取り込む",
  "crmlists.refreshName": "{name}を更新",
  "crmlists.pulled": "取り込み済み",
  "crmlists.progress": "{total}件中{done}件を読み込みました",
  "crmlists.progressUnknown": "{done}件を読み込みました",
  "crmlists.done": "{name}：連絡先{count}件（追加{added}件、更新{updated}件、削除{removed}件、発信禁止{dnc}件）。",
  "crmlists.problems": "取り込めなかったレコード（{count}件）",
  "crmlists.reload": "リストを再読み込み",
  "crmlists.close": "閉じる",
  "vm.label": "残す留守電メッセージ（WAVまたはMP3ファイル）",
  "vm.placeholder": "/home/you/voicemail.mp3",
  "vm.check": "確認",
  "vm.ok": "再生時間 {seconds} 秒。パワー・パラレルモードで発信音の後に残します。",
  "vm.none": "留守電メッセージなし：留守番電話には切断します。",
};

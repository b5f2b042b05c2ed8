//! A terminal for the tests that need one: a tmux session of its own, what its screen
//! shows, keys sent to it. tmux is installed by scripts/engines/setup.sh.

use std::process::Command;
use std::time::{Duration, Instant};

use super::unique;

/// A tmux session of its own, killed when dropped (also when the test fails).
pub struct Tmux {
    pub session: String,
}

impl Tmux {
    pub fn new(width: u16, height: u16, command: &str) -> Tmux {
        let session = unique("tmux");
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        Tmux { session }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        tmux(&args);
    }

    /// Resizes the window, and gives the program in it half a second to pass that on.
    pub fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        tmux(&["resize-window", "-t", &self.session, "-x", &w, "-y", &h]);
        std::thread::sleep(Duration::from_millis(500));
    }

    /// Asserts that the shell the window shows reports `height width` for `stty size`. The
    /// screen is cleared first, and the line that marks the answer names the size asked
    /// for, so an earlier answer still on the screen cannot pass for this one.
    pub fn assert_stty_size(&self, width: u16, height: u16) {
        let code = u32::from(height) * 1000 + u32::from(width);
        let line = format!("clear; stty size; echo size-$(({height}*1000+{width}))");
        self.keys(&[&line, "Enter"]);
        let s = self.wait_for(&format!("size-{code}"), Duration::from_secs(30));
        assert!(
            s.contains(&format!("{height} {width}")),
            "the shell's size is not {width}x{height}:\n{s}"
        );
    }

    pub fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.session])
    }

    /// Waits until the screen shows `needle`, for at most `limit`; fails with the screen.
    pub fn wait_for(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < limit,
                "{needle:?} not on screen within {limit:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("tmux does not run ({e}): scripts/engines/setup.sh installs it")
        });
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
